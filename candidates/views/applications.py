"""The application file, candidate side (§3.1–§3.5): open, fill, attach the pieces, file, talk with the body.

The certification body reads the same detail page; it reviews through candidates:application_review.
"""

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from candidates import permissions, services
from candidates.enums import (
    REQUIRED_PIECES,
    ApplicationKind,
    ApplicationStatus,
    DocumentPiece,
    PerimeterDomain,
)
from candidates.forms.applications import (
    DATE_FIELDS,
    FIELD_GROUPS,
    PREVIOUS_AUDIT_KINDS,
    SURVEY_CAMPAIGN_FIELDS,
    ApplicationCreateForm,
    ApplicationForm,
    DocumentUploadForm,
    MessageForm,
    WithdrawForm,
)
from candidates.models import Application, ApplicationDocument, ApplicationMessage
from labelsp.accounts.enums import Role
from labelsp.forms import add_service_errors, service_error_messages
from labelsp.uploads import serve_private_file
from surveys.models import Campaign
from surveys.report import campaign_summary

# Labels of the submission problems that are not about one field of the file (see services.submission_problems).
PROBLEM_LABELS = {
    "documents": gettext_lazy("Pièces du dossier"),
    "__all__": gettext_lazy("Dossier"),
}
# The events of the file's log (services.APPLICATION_TRANSITIONS, plus its opening).
TRANSITION_LABELS = {
    "create": gettext_lazy("Ouverture du dossier"),
    "submit": gettext_lazy("Dépôt"),
    "resubmit": gettext_lazy("Nouveau dépôt après compléments"),
    "request_complements": gettext_lazy("Demande de compléments"),
    "acknowledge": gettext_lazy("Déclaration de recevabilité"),
    "close": gettext_lazy("Clôture"),
    "withdraw": gettext_lazy("Retrait par le candidat"),
}


def _may_withdraw(user, application) -> bool:
    """The candidate's staff withdraw their file until it is closed."""
    return application.status != ApplicationStatus.CLOSED and permissions.can_manage_candidate(
        user, application.candidate
    )


def _candidate_of(request):
    """The organisation the user files for: their local service (candidate) or central service (central)."""
    membership = request.membership
    if membership is None or membership.role not in (Role.CANDIDATE, Role.CENTRAL):
        return None
    return membership.organisation


def _scoped_applications(user):
    return Application.objects.for_user(user).select_related(
        "local_service",
        "central_service",
        "certification_body",
        "contract",
        "central_application",
        "user_survey_campaign",
        "agent_survey_campaign",
    )


def _field_label(name: str) -> str:
    if name in PROBLEM_LABELS:
        return str(PROBLEM_LABELS[name])
    try:
        return capfirst(str(Application._meta.get_field(name).verbose_name))
    except FieldDoesNotExist:
        return name


def _problem_items(application, problems: dict[str, list[str]]) -> list[dict]:
    """Submission problems as a list the templates show: label of the field, message, where to fix it."""
    edit_url = reverse("candidates:application_edit", args=[application.pk])
    items = []
    for field, field_messages in problems.items():
        if field == "documents":
            url = "#pieces"
        elif field == "__all__":
            url = edit_url
        else:
            url = f"{edit_url}#id_{field}"
        items.extend(
            {"field": field, "label": _field_label(field), "message": m, "url": url} for m in field_messages
        )
    return items


def _campaign_links(user, application) -> dict[str, dict]:
    """The survey campaigns the file was filled from: a summary, and their report for those who may read it."""
    campaigns = {
        name: getattr(application, name)
        for name in SURVEY_CAMPAIGN_FIELDS
        if getattr(application, f"{name}_id") is not None
    }
    readable = set(
        Campaign.objects.for_user(user)
        .filter(pk__in=[c.pk for c in campaigns.values()])
        .values_list("pk", flat=True)
    )
    return {
        name: {
            "summary": campaign_summary(campaign),
            "report_url": (
                reverse("surveys:results_report", args=[campaign.pk]) if campaign.pk in readable else ""
            ),
        }
        for name, campaign in campaigns.items()
    }


def _field_rows(
    application, problems: dict[str, list[str]], campaigns: dict[str, dict]
) -> list[tuple[str, list[dict]]]:
    """The file's fields by group, with their displayed value and their submission problems."""
    extension_sites = (
        list(application.extension_sites.order_by("name"))
        if application.kind == ApplicationKind.EXTENSION
        else []
    )
    groups = []
    for legend, names in FIELD_GROUPS:
        rows = []
        for name in names:
            if name == "previous_audit_on" and application.kind not in PREVIOUS_AUDIT_KINDS:
                continue
            if name.startswith("extension_") and application.kind != ApplicationKind.EXTENSION:
                continue
            if name in SURVEY_CAMPAIGN_FIELDS and application.local_service_id is None:
                continue
            if name == "extension_sites":
                value = ", ".join(str(site) for site in extension_sites)
            elif name == "extension_domains":
                value = ", ".join(
                    str(PerimeterDomain(d).label) if d in PerimeterDomain.values else d
                    for d in application.extension_domains
                )
            elif name in SURVEY_CAMPAIGN_FIELDS:
                value = campaigns[name]["summary"] if name in campaigns else None
            else:
                value = getattr(application, name)
            rows.append(
                {
                    "name": name,
                    "label": _field_label(name),
                    "value": value,
                    "is_date": name in DATE_FIELDS,
                    "is_score": name.endswith("_score"),
                    "campaign": campaigns.get(name) if name in SURVEY_CAMPAIGN_FIELDS else None,
                    "problems": problems.get(name, []),
                }
            )
        if rows:
            groups.append((legend, rows))
    return groups


def _log_rows(application) -> list:
    entries = list(application.log.select_related("actor"))
    for entry in entries:
        entry.transition_label = TRANSITION_LABELS.get(entry.transition, entry.transition)
        entry.to_state_label = (
            ApplicationStatus(entry.to_state).label if entry.to_state in ApplicationStatus.values else ""
        )
    return entries


def _labels_of(user, application) -> list:
    """The labels awarded on the file, which the candidate reaches from here (their attestations are on the
    label's page). A decision closes the file: an open file has none (and costs no query)."""
    from decisions.models import Label

    if application.status != ApplicationStatus.CLOSED:
        return []
    return list(Label.objects.for_user(user).filter(decision__application=application).order_by("pk"))


def _render_detail(
    request,
    application,
    *,
    upload_form=None,
    message_form=None,
    withdraw_form=None,
    submit_error: ValidationError | None = None,
):
    user = request.user
    can_edit = permissions.can_edit_application(user, application)
    problems = services.submission_problems(application, today=timezone.localdate()) if can_edit else {}
    failed = service_error_messages(submit_error) if submit_error is not None else {}
    documents = list(
        services.current_documents(application).select_related("uploaded_by").order_by("uploaded_at", "pk")
    )
    receipts = [d for d in documents if d.piece == DocumentPiece.DEPOSIT_RECEIPT]
    pieces = [d for d in documents if d.piece != DocumentPiece.DEPOSIT_RECEIPT]
    by_piece = {}
    for document in pieces:
        by_piece.setdefault(document.piece, []).append(document)
    piece_rows = [
        {
            "label": DocumentPiece(piece).label,
            "required": piece in REQUIRED_PIECES,
            "documents": by_piece.get(piece, []),
        }
        for piece in [*REQUIRED_PIECES, DocumentPiece.LABELS_HELD, DocumentPiece.OTHER]
    ]
    thread = list(
        ApplicationMessage.objects.filter(application=application)
        .select_related("author")
        .prefetch_related(Prefetch("attachments", queryset=ApplicationDocument.objects.order_by("pk")))
        .order_by("created_at", "pk")
    )
    can_post = permissions.can_post_message(user, application)
    can_withdraw = _may_withdraw(user, application)
    context = {
        "application": application,
        "candidate": application.candidate,
        "can_edit": can_edit,
        "can_post": can_post,
        "can_withdraw": can_withdraw,
        "can_review": permissions.can_review_application(user, application),
        "labels": _labels_of(user, application),
        "problems": _problem_items(application, problems),
        "submit_errors": _problem_items(application, failed),
        "field_groups": _field_rows(application, failed, _campaign_links(user, application)),
        "piece_rows": piece_rows,
        "receipts": receipts,
        "thread": thread,
        "log": _log_rows(application),
        "upload_form": upload_form or DocumentUploadForm(),
        "message_form": message_form or MessageForm(),
        "withdraw_form": withdraw_form or WithdrawForm(),
    }
    return render(request, "candidates/applications/detail.html", context)


@require_GET
def application_list(request):
    """The files of the candidate the user acts for; a central service also follows its network's campaign."""
    candidate = _candidate_of(request)
    own, network = [], []
    role = request.membership.role if request.membership else None
    if candidate is not None:
        lookup = {"central_service": candidate} if role == Role.CENTRAL else {"local_service": candidate}
        own = list(_scoped_applications(request.user).filter(**lookup))
        if role == Role.CENTRAL:
            network = list(
                _scoped_applications(request.user)
                .filter(central_application__central_service=candidate)
                .exclude(central_application__status=ApplicationStatus.CLOSED)
                .order_by("local_service__name", "pk")
            )
    has_open = any(a.status != ApplicationStatus.CLOSED for a in own)
    return render(
        request,
        "candidates/applications/list.html",
        {
            "candidate": candidate,
            "role": role,
            "applications": own,
            "network_applications": network,
            "can_create": candidate is not None and not has_open,
        },
    )


@require_http_methods(["GET", "POST"])
def application_create(request):
    candidate = _candidate_of(request)
    if candidate is None:
        raise Http404
    form = ApplicationCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_create(
                user=request.user, candidate=candidate, kind=form.cleaned_data["kind"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Le dossier est ouvert : complétez-le puis déposez-le."))
            return redirect("candidates:application_detail", application.pk)
    contract = services.effective_contract(candidate, on=timezone.localdate())
    return render(
        request,
        "candidates/applications/create.html",
        {"form": form, "candidate": candidate, "contract": contract},
    )


@require_GET
def application_detail(request, pk):
    application = get_object_or_404(_scoped_applications(request.user), pk=pk)
    return _render_detail(request, application)


@require_http_methods(["GET", "POST"])
def application_edit(request, pk):
    application = get_object_or_404(_scoped_applications(request.user), pk=pk)
    if not permissions.can_edit_application(request.user, application):
        raise PermissionDenied
    form = ApplicationForm(request.POST or None, application=application)
    if request.method == "POST" and form.is_valid():
        extension_sites = form.cleaned_data["extension_sites"] if "extension_sites" in form.fields else None
        try:
            services.application_update(
                user=request.user,
                application=application,
                extension_sites=extension_sites,
                **form.service_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Le dossier est enregistré."))
            return redirect("candidates:application_detail", application.pk)
    return render(request, "candidates/applications/edit.html", {"application": application, "form": form})


@require_POST
def document_upload(request, pk):
    application = get_object_or_404(_scoped_applications(request.user), pk=pk)
    if not permissions.can_edit_application(request.user, application):
        raise PermissionDenied
    form = DocumentUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            document = services.document_add(
                user=request.user,
                application=application,
                piece=form.cleaned_data["piece"],
                uploaded=form.cleaned_data["file"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Pièce « %(piece)s » déposée : %(name)s.")
                % {"piece": document.get_piece_display(), "name": document.original_name},
            )
            return redirect(reverse("candidates:application_detail", args=[application.pk]) + "#pieces")
    return _render_detail(request, application, upload_form=form)


@require_POST
def application_submit(request, pk):
    application = get_object_or_404(_scoped_applications(request.user), pk=pk)
    if not permissions.can_edit_application(request.user, application):
        raise PermissionDenied
    try:
        services.application_submit(user=request.user, application=application)
    except ValidationError as error:
        return _render_detail(request, application, submit_error=error)
    messages.success(
        request,
        _(
            "Dossier déposé. L’organisme de certification est prévenu ; l’accusé de dépôt sera disponible "
            "sur cette page dans quelques instants."
        ),
    )
    return redirect("candidates:application_detail", application.pk)


@require_POST
def application_withdraw(request, pk):
    application = get_object_or_404(_scoped_applications(request.user), pk=pk)
    if not _may_withdraw(request.user, application):
        raise PermissionDenied
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.application_withdraw(
                user=request.user, application=application, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Le dossier est retiré : il est clos."))
            return redirect("candidates:application_detail", application.pk)
    return _render_detail(request, application, withdraw_form=form)


@require_POST
def message_post(request, pk):
    application = get_object_or_404(_scoped_applications(request.user), pk=pk)
    if not permissions.can_post_message(request.user, application):
        raise PermissionDenied
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.message_post(
                user=request.user,
                application=application,
                body=form.cleaned_data["body"],
                attachments=request.FILES.getlist("attachments"),
            )
        except ValidationError as error:
            add_service_errors(form, error, renames={"file": "attachments"})
        else:
            messages.success(request, _("Message envoyé."))
            return redirect(reverse("candidates:application_detail", args=[application.pk]) + "#messages")
    return _render_detail(request, application, message_form=form)


@require_GET
def document_download(request, pk):
    """Serve a piece as an attachment; a body never reads a draft (Application.objects.for_user hides them)."""
    document = get_object_or_404(
        ApplicationDocument.objects.filter(application__in=Application.objects.for_user(request.user)), pk=pk
    )
    return serve_private_file(
        document.file, filename=document.original_name, content_type=document.content_type
    )
