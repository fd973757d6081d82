"""DITP back office: habilitations and publication controls (issue #8; §1.3, §5.3).

The DITP only (logged in with a second factor, enforced by the accounts middleware for its role): every other
persona gets 404. Each change is a POST form calling one service in registry/services.py.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Value
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from decisions.models import Suspension, Withdrawal
from labelsp.accounts.scoping import sees_everything
from labelsp.forms import add_service_errors
from registry import services
from registry.forms import FORMS, HabilitationGrantForm, HabilitationRenewForm
from registry.models import CertificationBody, HabilitationLog

CONTROLS_PER_PAGE = 50

SUCCESS_MESSAGES = {
    "grant": _("Habilitation accordée : l’organisme et la DITP en sont informés."),
    "renew": _("Habilitation renouvelée : l’organisme et la DITP en sont informés."),
    "suspend": _("Habilitation suspendue : l’organisme et la DITP en sont informés."),
    "lift": _("Suspension levée : l’organisme et la DITP en sont informés."),
    "withdraw": _("Habilitation retirée : l’organisme et la DITP en sont informés."),
}
SERVICES = {
    "grant": services.habilitation_grant,
    "renew": services.habilitation_renew,
    "suspend": services.habilitation_suspend,
    "lift": services.habilitation_lift,
    "withdraw": services.habilitation_withdraw,
}


def _require_ditp(request) -> None:
    if not sees_everything(request.user):
        raise Http404


# --- Home -----------------------------------------------------------------------------------------------------------


@require_GET
def backoffice_home(request):
    """The DITP's entry point: habilitations, eligibility, grids and questionnaires, publication controls."""
    _require_ditp(request)
    today = timezone.localdate()
    return render(
        request,
        "registry/backoffice/home.html",
        {
            "body_count": CertificationBody.objects.count(),
            "habilitated_count": CertificationBody.objects.habilitated(today).count(),
        },
    )


# --- Habilitations --------------------------------------------------------------------------------------------------


@require_GET
def habilitation_list(request):
    """Every body with its habilitation's state and dates (one query, whatever the number of bodies)."""
    _require_ditp(request)
    today = timezone.localdate()
    bodies = list(CertificationBody.objects.order_by("name", "pk"))
    for body in bodies:
        body.is_active_today = body.habilitation_is_active(today)
    return render(request, "registry/backoffice/habilitation_list.html", {"bodies": bodies, "today": today})


def _render_body(request, body, *, status=200, bound=None):
    """The body's page: its habilitation, the forms of the transitions open from its state, and its history."""
    today = timezone.localdate()
    available = services.available_transitions(body.habilitation_status)
    forms = dict.fromkeys(FORMS)  # the template reads every key: None when the transition is closed
    for name in available:
        if bound is not None and bound.prefix == name:
            forms[name] = bound
        elif name == "grant":
            forms[name] = HabilitationGrantForm(initial={"starts_on": today})
        elif name == "renew":
            forms[name] = HabilitationRenewForm()
        else:
            forms[name] = FORMS[name]()
    context = {
        # A transition refused because the state changed meanwhile has no form on the page: its errors go on top.
        "refused_errors": bound.non_field_errors()
        if bound is not None and bound.prefix not in available
        else [],
        "body": body,
        "is_active_today": body.habilitation_is_active(today),
        "renewal_start": services.renewal_start(current_end=body.habilitation_end, today=today),
        "forms": forms,
        "log": [
            {"entry": entry, "label": services.TRANSITION_LABELS.get(entry.transition, entry.transition)}
            for entry in HabilitationLog.objects.filter(certification_body=body)
            .select_related("actor")
            .order_by("-at", "-pk")
        ],
    }
    return render(request, "registry/backoffice/habilitation_detail.html", context, status=status)


@require_GET
def habilitation_detail(request, pk):
    _require_ditp(request)
    return _render_body(request, get_object_or_404(CertificationBody, pk=pk))


def _transition_view(name):
    @require_POST
    def view(request, pk):
        _require_ditp(request)
        body = get_object_or_404(CertificationBody, pk=pk)
        form = FORMS[name](request.POST)
        if form.is_valid():
            try:
                SERVICES[name](user=request.user, certification_body=body, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, SUCCESS_MESSAGES[name])
                return redirect("registry:habilitation_detail", pk=body.pk)
        # Nothing was saved: show the page again, the errors next to their fields.
        body.refresh_from_db()
        return _render_body(request, body, bound=form)

    view.__name__ = f"habilitation_{name}"
    view.__doc__ = (
        f"POST: the DITP takes the « {name} » transition on a body's habilitation (registry/services.py)."
    )
    return view


habilitation_grant = _transition_view("grant")
habilitation_renew = _transition_view("renew")
habilitation_suspend = _transition_view("suspend")
habilitation_lift = _transition_view("lift")
habilitation_withdraw = _transition_view("withdraw")


# --- Publication controls (§5.3) ------------------------------------------------------------------------------------


def _notices():
    """Every suspension and withdrawal notified by the bodies, newest notice first, as (kind, pk, created_at)
    rows of one UNION query, so that the page is sliced by the database."""
    suspensions = Suspension.objects.annotate(kind=Value("suspension")).values_list(
        "kind", "pk", "created_at"
    )
    withdrawals = Withdrawal.objects.annotate(kind=Value("withdrawal")).values_list(
        "kind", "pk", "created_at"
    )
    return suspensions.union(withdrawals, all=True).order_by("-created_at", "-pk")


@require_GET
def publication_controls(request):
    """The publication controls: every suspension and withdrawal the certification bodies notified, with the body,
    the service, the reason and the dates; lifted suspensions and effective withdrawals marked. A constant number
    of queries: the page of the UNION, then each kind's rows with their label, service and body."""
    _require_ditp(request)
    today = timezone.localdate()
    page = Paginator(_notices(), CONTROLS_PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    related = ("label__local_service", "label__central_service", "label__certification_body")
    suspensions = Suspension.objects.select_related(*related).in_bulk(
        [pk for kind, pk, _at in rows if kind == "suspension"]
    )
    withdrawals = Withdrawal.objects.select_related(*related).in_bulk(
        [pk for kind, pk, _at in rows if kind == "withdrawal"]
    )
    notices = []
    for kind, pk, _at in rows:
        notice = suspensions[pk] if kind == "suspension" else withdrawals[pk]
        label = notice.label
        item = {
            "kind": kind,
            "notice": notice,
            "label": label,
            "service": label.local_service or label.central_service,
            "body": label.certification_body,
        }
        if kind == "suspension":
            item["lifted"] = notice.lifted_on is not None
            item["in_progress"] = notice.lifted_on is None and notice.starts_on <= today <= notice.ends_on
        else:
            item["effective"] = notice.effective_on <= today
        notices.append(item)
    return render(
        request, "registry/backoffice/publication_controls.html", {"page": page, "notices": notices}
    )
