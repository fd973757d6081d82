"""A service's survey campaigns (§3.4): list, open, follow live, import answers, key in paper copies, close,
print the poster with the QR code of the public answer page.

The candidate's staff manage their service's campaigns; its central service and the DITP read them.
"""

import base64
import math
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from candidates.permissions import can_manage_local_service
from labelsp.accounts.enums import Role
from labelsp.forms import add_service_errors
from labelsp.links import absolute_url
from surveys import rules, selectors, services_campaigns
from surveys.enums import COMMITMENT_LABELS, SurveyKind
from surveys.forms.campaigns import CampaignForm, CampaignKindForm, ImportForm, PaperEntryForm
from surveys.imports import ImportRefused, import_csv
from surveys.models import Campaign

# The notes of the user survey: the 8 commitments of the label and the global satisfaction (§2, §3.4.1).
STATUS_LABELS = {
    "open": gettext_lazy("Ouverte"),
    "upcoming": gettext_lazy("À venir"),
    "closed": gettext_lazy("Clôturée"),
}


def _status(campaign, today) -> str:
    """Closed once closed by the staff or past its planned closing day; upcoming before its opening day."""
    if campaign.closed_at is not None or campaign.closes_on < today:
        return "closed"
    if campaign.opens_on > today:
        return "upcoming"
    return "open"


def _percent(fraction) -> Decimal | None:
    """A rate as a percentage with one decimal, rounded down: 4.99 % shows 4.9 %, never the 5 % it misses."""
    if fraction is None:
        return None
    return Decimal(math.floor(fraction * 1000)) / 10


def _scoped_campaigns(user):
    return Campaign.objects.for_user(user).select_related("local_service", "questionnaire")


def _public_url(campaign) -> str:
    return absolute_url(reverse("surveys:answer", args=[campaign.public_token]))


def _score_rows(campaign, results) -> list[dict]:
    """Users: one row per note (commitment or satisfaction) with its questions; agents: one row per question."""
    by_question = results.scores.by_question
    if campaign.kind == SurveyKind.AGENTS:
        return [
            {
                "label": question.code,
                "note": None,
                "questions": [{"question": question, "note": by_question.get(question.code)}],
            }
            for question in results.questions
        ]
    rows: dict[str, dict] = {}
    for question in results.questions:
        row = rows.setdefault(
            question.group,
            {
                "label": COMMITMENT_LABELS.get(question.group, question.group),
                "note": results.scores.by_group.get(question.group),
                "questions": [],
            },
        )
        row["questions"].append({"question": question, "note": by_question.get(question.code)})
    return list(rows.values())


IMPORTS_SHOWN = 20


def _render_detail(request, campaign, *, import_form=None, import_errors=(), close_errors=(), status=200):
    today = timezone.localdate()
    results = selectors.campaign_results(campaign)
    validity = results.validity
    can_manage = can_manage_local_service(request.user, campaign.local_service)
    campaign_status = _status(campaign, today)
    context = {
        "campaign": campaign,
        "service": campaign.local_service,
        "status": campaign_status,
        "status_label": STATUS_LABELS[campaign_status],
        "results": results,
        "rate_percent": _percent(validity.rate),
        "required_rate_percent": _percent(validity.required_rate),
        "score_rows": _score_rows(campaign, results),
        "secures_bronze": rules.secures_bronze(campaign.kind, results.scores.global_score),
        "bronze_minimum": rules.BRONZE_MINIMUM[SurveyKind(campaign.kind)],
        "new_campaign_from": services_campaigns.next_campaign_allowed_from(
            campaign, today=today, results=results
        ),
        "public_url": _public_url(campaign),
        "sites": list(campaign.local_service.sites.active().order_by("kind", "name")),
        "can_manage": can_manage,
        "is_closed": campaign.closed_at is not None,
        "imports": list(campaign.imports.select_related("imported_by")[:IMPORTS_SHOWN]),
        "import_form": import_form or ImportForm(),
        "import_errors": list(import_errors),
        "close_errors": list(close_errors),
    }
    return render(request, "surveys/campaigns/detail.html", context, status=status)


def _local_service_of(request):
    """The local service the user acts for (candidate staff), or None."""
    membership = request.membership
    if membership is None or membership.role != Role.CANDIDATE:
        return None
    return membership.local_service


@require_GET
def campaign_list(request):
    """The service's campaigns, newest first; a central service reads those of its network's confirmed locals."""
    membership = request.membership
    campaigns = _scoped_campaigns(request.user)
    if membership is not None and membership.role == Role.CANDIDATE:
        campaigns = campaigns.filter(local_service=membership.local_service)
        organisation = membership.local_service
    elif membership is not None and membership.role == Role.CENTRAL:
        organisation = membership.central_service
        campaigns = campaigns.filter(
            local_service__in=organisation.local_services.network_members().values("pk")
        )
    else:
        raise Http404
    campaigns = list(
        campaigns.annotate(
            received=Count("responses"),
            admissible=Count("responses", filter=Q(responses__admissible=True)),
        ).order_by("-opens_on", "-pk")
    )
    today = timezone.localdate()
    for campaign in campaigns:
        campaign.status = _status(campaign, today)
        campaign.status_label = STATUS_LABELS[campaign.status]
    return render(
        request,
        "surveys/campaigns/list.html",
        {
            "campaigns": campaigns,
            "organisation": organisation,
            "is_network": membership.role == Role.CENTRAL,
            "can_create": membership.role == Role.CANDIDATE,
        },
    )


@require_http_methods(["GET", "POST"])
def campaign_create(request):
    local_service = _local_service_of(request)
    if local_service is None:
        raise Http404
    data = request.POST if request.method == "POST" else request.GET
    kind_form = CampaignKindForm(data or None)
    if not kind_form.is_valid():
        # First step: the kind of survey shapes the form (labels, sampling method).
        return render(
            request,
            "surveys/campaigns/create.html",
            {"kind_form": kind_form, "form": None, "service": local_service},
        )
    kind = kind_form.cleaned_data["kind"]
    form = CampaignForm(request.POST if request.method == "POST" else None, kind=kind)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services_campaigns.campaign_open(
                user=request.user, local_service=local_service, **form.service_fields()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("La campagne est créée. Diffusez le lien public ou l’affiche avec son QR code."),
            )
            return redirect("surveys:campaign_detail", campaign.pk)
    return render(
        request,
        "surveys/campaigns/create.html",
        {
            "kind_form": kind_form,
            "form": form,
            "service": local_service,
            "kind_label": SurveyKind(kind).label,
        },
    )


@require_GET
def campaign_detail(request, pk):
    """The live dashboard: counts, return rate against the threshold that applies, what is missing, scores."""
    campaign = get_object_or_404(_scoped_campaigns(request.user), pk=pk)
    return _render_detail(request, campaign)


@require_POST
def campaign_close(request, pk):
    campaign = get_object_or_404(_scoped_campaigns(request.user), pk=pk)
    if not can_manage_local_service(request.user, campaign.local_service):
        raise PermissionDenied
    try:
        services_campaigns.campaign_close(user=request.user, campaign=campaign)
    except ValidationError as error:
        return _render_detail(request, campaign, close_errors=error.messages)
    messages.success(request, _("La campagne est close : ses résultats sont définitifs."))
    return redirect("surveys:campaign_detail", campaign.pk)


@require_POST
def campaign_import(request, pk):
    """Import a CSV file of answers: all or nothing, every bad line reported with its number and reason."""
    campaign = get_object_or_404(_scoped_campaigns(request.user), pk=pk)
    if not can_manage_local_service(request.user, campaign.local_service):
        raise PermissionDenied
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            report = import_csv(campaign=campaign, uploaded_file=form.cleaned_data["file"], user=request.user)
        except ImportRefused as refusal:
            return _render_detail(request, campaign, import_form=form, import_errors=refusal.errors)
        else:
            messages.success(
                request,
                _("%(imported)s questionnaire(s) importé(s), dont %(admissible)s recevable(s).")
                % {"imported": report.imported, "admissible": report.admissible},
            )
            return redirect("surveys:campaign_detail", campaign.pk)
    return _render_detail(request, campaign, import_form=form)


@require_http_methods(["GET", "POST"])
def paper_entry(request, pk):
    """Staff key in paper questionnaires one after the other: the same empty form comes back after each one."""
    campaign = get_object_or_404(_scoped_campaigns(request.user), pk=pk)
    if not can_manage_local_service(request.user, campaign.local_service):
        raise PermissionDenied
    if campaign.closed_at is not None:
        messages.error(request, _("Cette campagne est close : elle ne reçoit plus de questionnaires."))
        return redirect("surveys:campaign_detail", campaign.pk)
    questions = campaign.questionnaire.questions.order_by("position")
    form = PaperEntryForm(request.POST or None, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            _response, number = services_campaigns.paper_response_record(
                user=request.user,
                campaign=campaign,
                positions=form.positions(),
                complete=form.cleaned_data["complete"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Questionnaire n° %(number)s enregistré.") % {"number": number})
            return redirect("surveys:paper_entry", campaign.pk)
    return render(
        request,
        "surveys/campaigns/paper_entry.html",
        {"campaign": campaign, "service": campaign.local_service, "form": form},
    )


def _qr_code_data_uri(url: str) -> str:
    import qrcode
    import qrcode.image.svg

    svg = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage).to_string()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


@require_GET
def poster(request, pk):
    """An A4 poster inviting users to answer, with the QR code of the public page; `?site=` names one site."""
    from labelsp.pdf import render_pdf

    campaign = get_object_or_404(_scoped_campaigns(request.user), pk=pk)
    site = None
    if request.GET.get("site"):
        site_pk = request.GET["site"]
        if not site_pk.isdigit():
            raise Http404
        site = get_object_or_404(campaign.local_service.sites.active(), pk=site_pk)
    url = _public_url(campaign)
    pdf = render_pdf(
        "pdf/survey_poster.html",
        {
            "campaign": campaign,
            "service": campaign.local_service,
            "site": site,
            "public_url": url,
            "qr_code": _qr_code_data_uri(url),
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"affiche-enquete-{campaign.pk}" + (f"-site-{site.pk}" if site else "") + ".pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response
