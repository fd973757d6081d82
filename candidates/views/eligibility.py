"""The eligibility list and the requests to join it (§1.4, annex 3).

A service outside the list files a request; when it belongs to a national network, the request goes first to
its central service, which forwards it to the DITP or declines it; the DITP accepts it (the list gains the
category) or refuses it, always with a reason.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from candidates import services
from candidates.enums import EligibilityRequestStatus, LocalServiceKind
from candidates.forms.eligibility import EligibilityDecisionForm, EligibilityRequestForm
from candidates.models import EligibilityRequest, EligibleCategory
from candidates.permissions import can_manage_central_service
from labelsp.accounts.enums import Role
from labelsp.accounts.scoping import sees_everything
from labelsp.forms import add_service_errors

ER = EligibilityRequestStatus
REQUESTS_PER_PAGE = 50


def _is_central_staff(user, central) -> bool:
    """The staff of the central service a request goes through: they forward it or decline it (§1.4)."""
    return central is not None and can_manage_central_service(user, central)


@login_not_required
@require_GET
def category_list(request):
    """The published eligibility list, kept by the DITP: active categories grouped by kind of service."""
    by_kind = {}
    for category in EligibleCategory.objects.filter(is_active=True).order_by("name"):
        by_kind.setdefault(category.kind, []).append(category)
    groups = [(label, by_kind[kind]) for kind, label in LocalServiceKind.choices if kind in by_kind]
    return render(request, "candidates/eligibility/category_list.html", {"groups": groups})


@require_GET
def request_list(request):
    """The requests the user may see; those waiting for the active role's decision come first."""
    requests = EligibilityRequest.objects.for_user(request.user).select_related("central_service")
    membership = request.membership
    awaiting_me = None
    if membership is not None and membership.role == Role.DITP:
        awaiting_me = When(status=ER.SUBMITTED, then=Value(0))
    elif membership is not None and membership.role == Role.CENTRAL:
        awaiting_me = When(
            status=ER.AWAITING_CENTRAL, central_service_id=membership.central_service_id, then=Value(0)
        )
    if awaiting_me is not None:
        requests = requests.annotate(
            priority=Case(awaiting_me, default=Value(1), output_field=IntegerField())
        ).order_by("priority", "-created_at", "-pk")
    page = Paginator(requests, REQUESTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "candidates/eligibility/request_list.html", {"page_obj": page})


@require_http_methods(["GET", "POST"])
def request_create(request):
    form = EligibilityRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            eligibility_request = services.eligibility_request_file(user=request.user, **form.filing_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if eligibility_request.central_service:
                messages.success(
                    request,
                    _(
                        "Votre demande a été adressée à votre service central, %(central)s : "
                        "il l’examinera puis la transmettra à la DITP."
                    )
                    % {"central": eligibility_request.central_service},
                )
            else:
                messages.success(
                    request,
                    _("Votre demande a été transmise à la DITP, qui tient la liste des services éligibles."),
                )
            return redirect("candidates:eligibility_detail", eligibility_request.pk)
    return render(request, "candidates/eligibility/request_form.html", {"form": form})


def _event_label(entry) -> str:
    if entry.transition == "file":
        if entry.to_state == ER.AWAITING_CENTRAL:
            return _("Demande déposée auprès du service central")
        return _("Demande déposée auprès de la DITP")
    labels = {
        "forward": _("Transmise à la DITP par le service central"),
        "decline": _("Non transmise par le service central"),
        "accept": _("Acceptée par la DITP"),
        "refuse": _("Refusée par la DITP"),
    }
    return labels.get(entry.transition, entry.transition)


def _get_request(request, pk):
    queryset = EligibilityRequest.objects.for_user(request.user).select_related(
        "central_service", "requested_by", "resulting_category"
    )
    return get_object_or_404(queryset, pk=pk)


def _render_detail(request, eligibility_request, *, posted_form=None, forward_errors=None):
    """The request, its log and the decisions the viewer may take; `posted_form` replaces its action's form."""
    is_central_staff = _is_central_staff(request.user, eligibility_request.central_service)
    is_ditp = sees_everything(request.user)
    can_forward = is_central_staff and eligibility_request.status == ER.AWAITING_CENTRAL
    can_decide = is_ditp and eligibility_request.status == ER.SUBMITTED
    forms = {}
    if can_forward:
        forms[EligibilityDecisionForm.DECLINE] = EligibilityDecisionForm(
            action=EligibilityDecisionForm.DECLINE
        )
    if can_decide:
        forms[EligibilityDecisionForm.ACCEPT] = EligibilityDecisionForm(
            action=EligibilityDecisionForm.ACCEPT,
            initial={"category_name": eligibility_request.proposed_category},
        )
        forms[EligibilityDecisionForm.REFUSE] = EligibilityDecisionForm(action=EligibilityDecisionForm.REFUSE)
    # Errors that belong to no displayed form (the request was decided meanwhile, an unknown action).
    page_errors = list(forward_errors or [])
    if posted_form is not None:
        action = EligibilityDecisionForm.posted_action(posted_form.data)
        if action in forms:
            forms[action] = posted_form
        else:
            page_errors += [
                message
                for errors in posted_form.errors.as_data().values()
                for error in errors
                for message in error.messages
            ]
    context = {
        "eligibility_request": eligibility_request,
        "log": [
            (entry, _event_label(entry))
            for entry in eligibility_request.log.select_related("actor").order_by("at", "pk")
        ],
        "can_forward": can_forward,
        "can_decide": can_decide,
        "decline_form": forms.get(EligibilityDecisionForm.DECLINE),
        "accept_form": forms.get(EligibilityDecisionForm.ACCEPT),
        "refuse_form": forms.get(EligibilityDecisionForm.REFUSE),
        "page_errors": page_errors,
    }
    return render(request, "candidates/eligibility/request_detail.html", context)


@require_GET
def request_detail(request, pk):
    return _render_detail(request, _get_request(request, pk))


@require_POST
def request_forward(request, pk):
    """The central service passes the request on to the DITP."""
    eligibility_request = _get_request(request, pk)
    if not _is_central_staff(request.user, eligibility_request.central_service):
        raise PermissionDenied
    try:
        services.eligibility_request_forward(user=request.user, request=eligibility_request)
    except ValidationError as error:
        eligibility_request.refresh_from_db()
        return _render_detail(request, eligibility_request, forward_errors=error.messages)
    messages.success(request, _("La demande a été transmise à la DITP."))
    return redirect("candidates:eligibility_detail", eligibility_request.pk)


@require_POST
def request_decide(request, pk):
    """Decline (the central service), accept or refuse (the DITP)."""
    eligibility_request = _get_request(request, pk)
    action = EligibilityDecisionForm.posted_action(request.POST)
    form = EligibilityDecisionForm(request.POST, action=action)
    if not form.is_valid():
        return _render_detail(request, eligibility_request, posted_form=form)
    if action == EligibilityDecisionForm.DECLINE:
        allowed = _is_central_staff(request.user, eligibility_request.central_service)
    else:
        allowed = sees_everything(request.user)
    if not allowed:
        raise PermissionDenied
    reason = form.cleaned_data["reason"]
    try:
        if action == EligibilityDecisionForm.ACCEPT:
            services.eligibility_request_accept(
                user=request.user,
                request=eligibility_request,
                category_name=form.cleaned_data["category_name"],
                reason=reason,
            )
        elif action == EligibilityDecisionForm.REFUSE:
            services.eligibility_request_refuse(user=request.user, request=eligibility_request, reason=reason)
        else:
            services.eligibility_request_decline(
                user=request.user, request=eligibility_request, reason=reason
            )
    except ValidationError as error:
        add_service_errors(form, error)
        eligibility_request.refresh_from_db()
        return _render_detail(request, eligibility_request, posted_form=form)
    if action == EligibilityDecisionForm.ACCEPT:
        message = _(
            "La demande est acceptée : la catégorie « %(category)s » figure sur la liste des services éligibles."
        ) % {"category": eligibility_request.resulting_category}
    elif action == EligibilityDecisionForm.REFUSE:
        message = _("La demande est refusée ; le demandeur est informé du motif.")
    else:
        message = _("La demande n’est pas transmise à la DITP ; le demandeur est informé du motif.")
    messages.success(request, message)
    return redirect("candidates:eligibility_detail", eligibility_request.pk)
