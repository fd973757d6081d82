"""The label's life after its decision: its page and list, suspensions, withdrawals, action plans, appeals, the
refusal letter and the trademark kit (§3.8.1, §5.1, §5.3)."""

import io
import zipfile

from django.contrib import messages
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from candidates.rules import new_application_allowed_from
from decisions import permissions
from decisions import services_lifecycle as lifecycle
from decisions.enums import AppealStatus, DecisionOutcome, Tier
from decisions.forms.lifecycle import (
    ActionPlanForm,
    AppealForm,
    AppealRecordForm,
    SuspensionForm,
    SuspensionLiftForm,
    WithdrawalForm,
)
from decisions.models import ActionPlanRequest, Appeal, Decision, Label, Suspension, Withdrawal
from labelsp.accounts.enums import Role
from labelsp.accounts.scoping import sees_everything
from labelsp.forms import add_service_errors

LABELS_PER_PAGE = 50
KIT_RULES_FILE = "decisions/kit/reglement-usage-marque.txt"


def _get_label(request, pk) -> Label:
    return get_object_or_404(
        Label.objects.for_user(request.user).select_related(
            "local_service", "central_service", "certification_body", "decision", "withdrawal"
        ),
        pk=pk,
    )


def _get_decision(request, pk) -> Decision:
    return get_object_or_404(
        Decision.objects.for_user(request.user).select_related(
            "application", "local_service", "central_service", "certification_body"
        ),
        pk=pk,
    )


# --- The label's page and the list ----------------------------------------------------------------------------------


def _render_label(request, label, *, status=200, **forms):
    today = timezone.localdate()
    manager = permissions.can_manage_label(request.user, label)
    staff = permissions.can_act_for_labelled_service(request.user, label)
    display_status = lifecycle.label_display_status(label, today)
    withdrawal = label.withdrawal if lifecycle.has_withdrawal(label) else None
    current_suspension = lifecycle.open_suspension(label)
    service = label.local_service or label.central_service
    decision_filter = Q(pk=label.decision_id) | Q(
        decided_on__gte=label.starts_on,
        **(
            {"local_service": label.local_service} if label.local_service_id else {"central_service": service}
        ),
    )
    decisions = list(
        Decision.objects.filter(decision_filter)
        .select_related("replaces")
        .prefetch_related(Prefetch("appeals", queryset=Appeal.objects.order_by("-filed_at")))
    )
    action_plans = list(label.action_plans.select_related("decision").order_by("due_on", "pk"))
    for plan in action_plans:
        plan.overdue = lifecycle.action_plan_overdue(plan, today)
    pending_plan = next((p for p in action_plans if p.submitted_at is None and not p.overdue), None)
    context = {
        "label": label,
        "service": service,
        "display_status": display_status,
        "display_status_label": lifecycle.DISPLAY_STATUS_LABELS[display_status],
        "withdrawal": withdrawal,
        "stop_by": lifecycle.stop_using_mark_by(withdrawal.effective_on) if withdrawal else None,
        "conditional_locals": (
            list(lifecycle.locals_keeping_mark_conditionally(label, withdrawal.effective_on))
            if withdrawal
            else []
        ),
        "suspensions": list(label.suspensions.select_related("decided_by")),
        "current_suspension": current_suspension,
        "decisions": decisions,
        "action_plans": action_plans,
        "any_plan_overdue": any(p.overdue for p in action_plans),
        "manager": manager,
        "staff": staff,
        "kit_available": staff and display_status == lifecycle.ACTIVE,
        "suspension_form": None,
        "lift_form": None,
        "withdrawal_form": None,
        "plan_form": None,
        "pending_plan": pending_plan if staff else None,
    }
    if manager and display_status == lifecycle.ACTIVE and current_suspension is None:
        context["suspension_form"] = forms.get("suspension_form") or SuspensionForm(
            initial={"starts_on": today}
        )
    if manager and current_suspension is not None:
        context["lift_form"] = forms.get("lift_form") or SuspensionLiftForm(initial={"lifted_on": today})
    if manager and withdrawal is None and display_status in (lifecycle.ACTIVE, lifecycle.SUSPENDED):
        context["withdrawal_form"] = forms.get("withdrawal_form") or WithdrawalForm(
            initial={"effective_on": today}
        )
    if context["pending_plan"]:
        context["plan_form"] = forms.get("plan_form") or ActionPlanForm()
    # A plan refused by the service (deadline passed meanwhile, already produced) shows why, even without its form.
    context["plan_errors"] = (
        forms["plan_form"].non_field_errors() if forms.get("plan_form") and not context["plan_form"] else []
    )
    return render(request, "decisions/lifecycle/label_detail.html", context, status=status)


@require_GET
def label_detail(request, pk):
    """Whoever sees the label reads its tier, validity, status and history; each role gets the forms it may use."""
    return _render_label(request, _get_label(request, pk))


@require_GET
def label_list(request):
    """The body's managers list their body's labels; the DITP every label, and the publication checks: every
    label with a suspension or a withdrawal (« contrôles de publication »)."""
    membership = request.membership
    ditp = sees_everything(request.user) and membership is not None and membership.role == Role.DITP
    labels = Label.objects.all()
    if not ditp:
        if (
            membership is None
            or membership.role != Role.CB_MANAGER
            or not permissions.can_list_body_labels(request.user, membership.certification_body)
        ):
            raise Http404
        labels = labels.filter(certification_body_id=membership.certification_body_id)
    controls = request.GET.get("controles") == "1"
    if controls:
        labels = labels.filter(
            Exists(Suspension.objects.filter(label=OuterRef("pk")))
            | Exists(Withdrawal.objects.filter(label=OuterRef("pk")))
        )
    query = request.GET.get("q", "").strip()[:100]
    if query:
        labels = labels.filter(
            Q(local_service__name__icontains=query) | Q(central_service__name__icontains=query)
        )
    labels = (
        labels.select_related("local_service", "central_service", "certification_body", "withdrawal")
        .prefetch_related(Prefetch("suspensions", queryset=Suspension.objects.order_by("-starts_on", "-pk")))
        .order_by("-starts_on", "-pk")
    )
    page = Paginator(labels, LABELS_PER_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for label in page.object_list:
        status = lifecycle.label_display_status(label, today)
        label.display_status = status
        label.display_status_label = lifecycle.DISPLAY_STATUS_LABELS[status]
        label.has_withdrawal = lifecycle.has_withdrawal(label)
    return render(
        request,
        "decisions/lifecycle/label_list.html",
        {"page": page, "ditp": ditp, "controls": controls, "query": query},
    )


# --- Suspension and withdrawal (§5.3) -------------------------------------------------------------------------------


def _managed_label(request, pk) -> Label:
    label = _get_label(request, pk)
    if not permissions.can_manage_label(request.user, label):
        raise PermissionDenied
    return label


@require_POST
def suspension_create(request, pk):
    label = _managed_label(request, pk)
    form = SuspensionForm(request.POST)
    if form.is_valid():
        try:
            lifecycle.suspension_create(user=request.user, label=label, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Le label est suspendu : le service et la DITP en sont informés."))
            return redirect("decisions:label_detail", pk=label.pk)
    return _render_label(request, label, suspension_form=form)


@require_POST
def suspension_lift(request, pk):
    suspension = get_object_or_404(
        Suspension.objects.filter(label__in=Label.objects.for_user(request.user)).select_related("label"),
        pk=pk,
    )
    label = _managed_label(request, suspension.label_id)
    form = SuspensionLiftForm(request.POST)
    if form.is_valid():
        try:
            lifecycle.suspension_lift(user=request.user, suspension=suspension, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("La suspension est levée ; la date de fin de validité du label est inchangée.")
            )
            return redirect("decisions:label_detail", pk=label.pk)
    return _render_label(request, label, lift_form=form)


@require_POST
def withdrawal_create(request, pk):
    label = _managed_label(request, pk)
    form = WithdrawalForm(request.POST)
    if form.is_valid():
        try:
            lifecycle.withdrawal_create(user=request.user, label=label, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Le retrait du label est notifié au service et à la DITP."))
            return redirect("decisions:label_detail", pk=label.pk)
    return _render_label(request, label, withdrawal_form=form)


# --- Action plans (§3.8.1) ------------------------------------------------------------------------------------------


@require_POST
def action_plan_submit(request, pk):
    plan = get_object_or_404(
        ActionPlanRequest.objects.filter(label__in=Label.objects.for_user(request.user)), pk=pk
    )
    label = _get_label(request, plan.label_id)
    if not permissions.can_act_for_labelled_service(request.user, label):
        raise PermissionDenied
    form = ActionPlanForm(request.POST)
    if form.is_valid():
        try:
            lifecycle.action_plan_submit(
                user=request.user, request=plan, summary=form.cleaned_data["summary"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Votre plan d’actions est transmis à l’organisme de certification."))
            return redirect("decisions:label_detail", pk=label.pk)
    return _render_label(request, label, plan_form=form)


# --- Appeals (§5.1) -------------------------------------------------------------------------------------------------


def _render_appeals(request, decision, *, appeal_form=None, record_form=None):
    appeals = list(decision.appeals.select_related("new_decision", "filed_by", "recorded_by"))
    pending = next((a for a in appeals if a.status == AppealStatus.PENDING), None)
    replaced = Decision.objects.filter(replaces=decision).first()
    may_file = permissions.can_file_appeal(request.user, decision) and pending is None and replaced is None
    may_record = pending is not None and permissions.can_record_appeal(request.user, pending)
    return render(
        request,
        "decisions/lifecycle/appeals.html",
        {
            "decision": decision,
            "appeals": appeals,
            "pending": pending,
            "replaced_by": replaced,
            "labels": list(decision.labels.all()),
            "appeal_form": (appeal_form or AppealForm()) if may_file else None,
            "record_form": (record_form or AppealRecordForm()) if may_record else None,
        },
    )


@require_GET
def decision_appeals(request, pk):
    """A decision's appeals: the service files one, the body's managers record the committee's opinion."""
    return _render_appeals(request, _get_decision(request, pk))


@require_POST
def appeal_file(request, pk):
    decision = _get_decision(request, pk)
    if not permissions.can_file_appeal(request.user, decision):
        raise PermissionDenied
    form = AppealForm(request.POST)
    if form.is_valid():
        try:
            lifecycle.appeal_file(user=request.user, decision=decision, grounds=form.cleaned_data["grounds"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Votre recours est transmis au comité impartial de l’organisme."))
            return redirect("decisions:decision_appeals", pk=decision.pk)
    return _render_appeals(request, decision, appeal_form=form)


@require_POST
def appeal_record(request, pk):
    appeal = get_object_or_404(
        Appeal.objects.filter(decision__in=Decision.objects.for_user(request.user)), pk=pk
    )
    if not permissions.can_record_appeal(request.user, appeal):
        raise PermissionDenied
    decision = _get_decision(request, appeal.decision_id)
    form = AppealRecordForm(request.POST)
    if form.is_valid():
        try:
            lifecycle.appeal_record(user=request.user, appeal=appeal, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("L’avis du comité est enregistré."))
            return redirect("decisions:decision_appeals", pk=decision.pk)
    return _render_appeals(request, decision, record_form=form)


# --- Documents: refusal letter, trademark kit -----------------------------------------------------------------------


@require_GET
def refusal_letter(request, pk):
    """The motivated notification of a refusal (§3.8.1), with the date from which a new application is possible."""
    from labelsp.pdf import render_pdf

    decision = _get_decision(request, pk)
    if decision.outcome != DecisionOutcome.REFUSAL:
        raise Http404
    pdf = render_pdf(
        "pdf/refusal_letter.html",
        {
            "decision": decision,
            "service": decision.candidate,
            "inputs": _inputs_rows(decision.inputs),
            "new_application_from": new_application_allowed_from(decision.decided_on),
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="refus-{decision.pk}.pdf"'
    return response


def _inputs_rows(value, prefix="", depth=0) -> list[tuple[str, str]]:
    """Flatten the decision's inputs (a JSON snapshot whose shape depends on the decision) into (label, value) rows,
    rendered as they are: the letter shows whatever the decision was based on."""
    rows = []
    if isinstance(value, dict):
        for key, item in value.items():
            label = f"{prefix} › {key}" if prefix else str(key)
            rows.extend(_inputs_rows(item, label, depth + 1))
    elif isinstance(value, list) and any(isinstance(item, dict | list) for item in value) and depth < 6:
        for index, item in enumerate(value, start=1):
            rows.extend(_inputs_rows(item, f"{prefix} [{index}]", depth + 1))
    else:
        if isinstance(value, list):
            text = ", ".join(str(item) for item in value)
        elif isinstance(value, bool):
            text = _("oui") if value else _("non")
        elif value is None:
            text = "—"
        else:
            text = str(value)
        rows.append((prefix or "—", text))
    return rows


@require_GET
def trademark_kit(request, pk):
    """The labelled service downloads its tier's trademark kit (logo and usage rules) while its label is active."""
    label = _get_label(request, pk)
    if not permissions.can_act_for_labelled_service(request.user, label):
        raise PermissionDenied
    status = lifecycle.label_display_status(label)
    if status != lifecycle.ACTIVE:
        return render(
            request,
            "decisions/lifecycle/kit_unavailable.html",
            {"label": label, "display_status_label": lifecycle.DISPLAY_STATUS_LABELS[status]},
            status=403,
        )
    tier = Tier(label.tier)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in (
            f"decisions/kit/{tier.value}/logo-services-publics-plus-{tier.value}.svg",
            KIT_RULES_FILE,
        ):
            path = finders.find(name)
            if not path:
                raise FileNotFoundError(name)
            archive.write(path, arcname=name.rsplit("/", 1)[1])
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = (
        f'attachment; filename="kit-marque-services-publics-plus-{tier.value}.zip"'
    )
    return response
