"""The label's life after its decision (issue #6 « Life of the label »; guide §3.8.1, §5.1, §5.3).

Suspensions, withdrawals, action plans and appeals are rows: each records who decided it and when, and the label's
status follows them. A suspension or a withdrawal is notified to the service and to the DITP, which publishes
suspensions while they last and removes withdrawn services from the public list on the effective date.
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from decisions import permissions
from decisions.enums import AppealStatus, LabelStatus, SuspensionReason, WithdrawalReason
from decisions.models import ActionPlanRequest, Appeal, Decision, Label, Suspension, Withdrawal
from labelsp.accounts.recipients import body_manager_emails, ditp_emails, service_staff_emails
from labelsp.deadlines.enums import Actor, DeadlineKind
from labelsp.deadlines.services import (
    deadline_set,
    deadlines_close,
    label_schedule_sync,
    local_follow_up_owed,
)
from labelsp.emails import send_templated_email

SUSPENSION_MAX = relativedelta(months=12)
STOP_USING_MARK_WITHIN = relativedelta(months=2)
CENTRAL_WITHDRAWAL_LOCALS_WINDOW = relativedelta(years=2)
TEXT_MAX_LENGTH = 5000

# The status shown for a label on a given day (expiry derived from the dates, never stored).
ACTIVE, SUSPENDED, WITHDRAWN, EXPIRED = "active", "suspended", "withdrawn", "expired"
DISPLAY_STATUS_LABELS = {
    ACTIVE: LabelStatus.ACTIVE.label,
    SUSPENDED: LabelStatus.SUSPENDED.label,
    WITHDRAWN: LabelStatus.WITHDRAWN.label,
    EXPIRED: gettext_lazy("Expiré"),
}


def _fr(day: datetime.date) -> str:
    return formats.date_format(day, "j F Y")


# --- Pure rules -----------------------------------------------------------------------------------------------------


def suspension_last_allowed_day(starts_on: datetime.date) -> datetime.date:
    """A suspension lasts at most 12 months (§5.3.1). Interpretation: from 15 March 2027 it may run until 15 March
    2028 included (the same day twelve months later, the last day of the month when that day does not exist)."""
    return starts_on + SUSPENSION_MAX


def stop_using_mark_by(effective_on: datetime.date) -> datetime.date:
    """After a withdrawal, the service stops every use of the mark within two months of the effective date
    (§5.3.2): withdrawn on 31 March → 31 May; on 31 December → 28 (or 29) February."""
    return effective_on + STOP_USING_MARK_WITHIN


def label_display_status(label: Label, on: datetime.date | None = None) -> str:
    """Withdrawn once a withdrawal has taken effect, expired after its last day, else suspended or active."""
    on = on or timezone.localdate()
    withdrawal = label.withdrawal if has_withdrawal(label) else None
    if label.status == LabelStatus.WITHDRAWN or (withdrawal and withdrawal.effective_on <= on):
        return WITHDRAWN
    if label.is_expired(on):
        return EXPIRED
    if label.status == LabelStatus.SUSPENDED:
        return SUSPENDED
    return ACTIVE


def has_withdrawal(label: Label) -> bool:
    try:
        return label.withdrawal is not None
    except Withdrawal.DoesNotExist:
        return False


# --- Reads ----------------------------------------------------------------------------------------------------------


def public_labels(on: datetime.date | None = None):
    """The labels on the public list on `on` (§5.3): in force that day and without a withdrawal effective by then;
    suspended labels stay listed, marked by `is_suspended` (an unlifted suspension begun by `on`)."""
    on = on or timezone.localdate()
    open_suspension = Suspension.objects.filter(label=OuterRef("pk"), starts_on__lte=on).filter(
        Q(lifted_on__isnull=True) | Q(lifted_on__gt=on)
    )
    return (
        Label.objects.filter(starts_on__lte=on, ends_on__gte=on)
        .exclude(withdrawal__effective_on__lte=on)
        .annotate(is_suspended=Exists(open_suspension))
    )


def open_suspension(label: Label) -> Suspension | None:
    return label.suspensions.filter(lifted_on__isnull=True).first()


def locals_keeping_mark_conditionally(label: Label, effective_on: datetime.date):
    """When a central label is withdrawn, its locals labelled less than two years before the effective date keep
    their mark only by passing a local follow-up audit and producing their yearly reports (§5.3.2 note)."""
    if not label.central_service_id:
        return Label.objects.none()
    return (
        Label.objects.in_force(effective_on)
        .filter(
            local_service__parent_id=label.central_service_id,
            starts_on__gt=effective_on - CENTRAL_WITHDRAWAL_LOCALS_WINDOW,
        )
        .select_related("local_service")
        .order_by("local_service__name", "pk")
    )


# --- Recipients -----------------------------------------------------------------------------------------------------


def _notify(*, to: list[str], template: str, context: dict) -> None:
    transaction.on_commit(lambda: send_templated_email(to=to, template=template, context=context))


def _service(label: Label):
    return label.local_service or label.central_service


def _set_status(label: Label, status: str) -> None:
    label.status = status
    label.save(update_fields=["status"])  # recorded by the label's history


def _locked(label: Label) -> Label:
    """Re-read the label under a row lock so that two managers cannot suspend or withdraw it at once."""
    locked = Label.objects.select_for_update(of=("self",)).get(pk=label.pk)
    label.status = locked.status
    return label


# --- Suspension (§5.3.1) --------------------------------------------------------------------------------------------


@transaction.atomic
def suspension_create(
    *,
    user,
    label: Label,
    reason: str,
    details: str = "",
    starts_on: datetime.date,
    ends_on: datetime.date,
    today: datetime.date | None = None,
) -> Suspension:
    """The issuing body suspends a label for one of the guide's reasons, for at most 12 months; the service and the
    DITP (which publishes it while it lasts) are notified."""
    today = today or timezone.localdate()
    if not permissions.can_manage_label(user, label):
        raise PermissionDenied
    label = _locked(label)
    if reason not in SuspensionReason.values:
        raise ValidationError({"reason": _("Choisissez un motif de suspension.")})
    if reason == SuspensionReason.NETWORK_BELOW_THRESHOLD and not label.central_service_id:
        raise ValidationError(
            {"reason": _("Ce motif ne concerne que le label d’un service public central et de son réseau.")}
        )
    status = label_display_status(label, today)
    if status == SUSPENDED or open_suspension(label):
        raise ValidationError(
            {"__all__": _("Ce label est déjà suspendu : levez d’abord la suspension en cours.")}
        )
    if status != ACTIVE:
        raise ValidationError({"__all__": _("Seul un label en cours de validité peut être suspendu.")})
    errors = {}
    if starts_on < label.starts_on:
        errors["starts_on"] = _(
            "La suspension ne peut pas commencer avant le début de validité du label (%(date)s)."
        ) % {"date": _fr(label.starts_on)}
    elif starts_on > today:
        errors["starts_on"] = _("La suspension prend effet au plus tard aujourd’hui.")
    if ends_on < starts_on:
        errors["ends_on"] = _("La fin de la suspension doit suivre son début.")
    elif ends_on > suspension_last_allowed_day(starts_on):
        errors["ends_on"] = _(
            "Une suspension dure au plus 12 mois : elle doit prendre fin le %(date)s au plus tard."
        ) % {"date": _fr(suspension_last_allowed_day(starts_on))}
    if len(details) > TEXT_MAX_LENGTH:
        errors["details"] = _("%(max)s caractères au plus.") % {"max": TEXT_MAX_LENGTH}
    if errors:
        raise ValidationError(errors)
    suspension = Suspension.objects.create(
        label=label,
        reason=reason,
        details=details.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        decided_by=user,
    )
    _set_status(label, LabelStatus.SUSPENDED)
    # At its end the body must lift it or withdraw the label (§5.3.1); past it, the DITP is told too.
    deadline_set(
        key=f"suspension:{suspension.pk}:end",
        kind=DeadlineKind.SUSPENSION_END,
        subject=suspension,
        due_on=ends_on,
        actor=Actor.BODY,
        today=today,
    )
    context = {"label": label, "suspension": suspension, "service": _service(label)}
    _notify(
        to=service_staff_emails(_service(label)) + ditp_emails(), template="label_suspended", context=context
    )
    return suspension


@transaction.atomic
def suspension_lift(
    *, user, suspension: Suspension, lifted_on: datetime.date, today: datetime.date | None = None
) -> Suspension:
    """The body lifts a suspension once the service has complied (§5.3.1); the validity is not extended."""
    today = today or timezone.localdate()
    label = suspension.label
    if not permissions.can_manage_label(user, label):
        raise PermissionDenied
    label = _locked(label)
    suspension = Suspension.objects.select_for_update().get(pk=suspension.pk)
    if suspension.lifted_on is not None:
        raise ValidationError({"__all__": _("Cette suspension est déjà levée.")})
    if lifted_on < suspension.starts_on:
        raise ValidationError({"lifted_on": _("La levée ne peut pas précéder le début de la suspension.")})
    if lifted_on > today:
        raise ValidationError({"lifted_on": _("La date de levée ne peut pas être dans le futur.")})
    suspension.lifted_on = lifted_on
    suspension.save(update_fields=["lifted_on"])
    deadlines_close(suspension)
    if label.status == LabelStatus.SUSPENDED:
        _set_status(label, LabelStatus.ACTIVE)
    context = {"label": label, "suspension": suspension, "service": _service(label)}
    _notify(
        to=service_staff_emails(_service(label)) + ditp_emails(),
        template="label_suspension_lifted",
        context=context,
    )
    return suspension


# --- Withdrawal (§5.3.2) --------------------------------------------------------------------------------------------


@transaction.atomic
def withdrawal_create(
    *,
    user,
    label: Label,
    reason: str,
    details: str = "",
    effective_on: datetime.date,
    today: datetime.date | None = None,
) -> Withdrawal:
    """The issuing body withdraws a label from a date: the service leaves the public list that day and must stop
    using the mark within two months; the service and the DITP are notified. For a central label, the notice lists
    the locals labelled less than two years before, which keep their mark only through a local follow-up audit."""
    today = today or timezone.localdate()
    if not permissions.can_manage_label(user, label):
        raise PermissionDenied
    label = _locked(label)
    if reason not in WithdrawalReason.values:
        raise ValidationError({"reason": _("Choisissez un motif de retrait.")})
    if has_withdrawal(label) or label.status == LabelStatus.WITHDRAWN:
        raise ValidationError({"__all__": _("Ce label a déjà fait l’objet d’un retrait.")})
    if label.is_expired(today):
        raise ValidationError({"__all__": _("Ce label est expiré : il n’y a plus rien à retirer.")})
    errors = {}
    if effective_on < today:
        errors["effective_on"] = _("La date d’effet ne peut pas précéder la notification (aujourd’hui).")
    elif effective_on > label.ends_on + datetime.timedelta(days=1):
        errors["effective_on"] = _(
            "Le label prend fin le %(date)s : la date d’effet doit être au plus tard le lendemain."
        ) % {"date": _fr(label.ends_on)}
    if len(details) > TEXT_MAX_LENGTH:
        errors["details"] = _("%(max)s caractères au plus.") % {"max": TEXT_MAX_LENGTH}
    if errors:
        raise ValidationError(errors)
    withdrawal = Withdrawal.objects.create(
        label=label, reason=reason, details=details.strip(), effective_on=effective_on, decided_by=user
    )
    if effective_on <= today:
        _set_status(label, LabelStatus.WITHDRAWN)
    deadline_set(
        key=f"withdrawal:{withdrawal.pk}:mark",
        kind=DeadlineKind.MARK_REMOVAL,
        subject=withdrawal,
        due_on=stop_using_mark_by(effective_on),
        actor=Actor.CANDIDATE,
        today=today,
    )
    # The label's cycle stops here: its follow-ups, renewal and expiry notices are cancelled; an open suspension's
    # end needs no decision any more.
    label_schedule_sync(label, withdrawn=True)
    for suspension in Suspension.objects.filter(label=label):
        deadlines_close(suspension)
    for local_label in locals_keeping_mark_conditionally(label, effective_on):
        local_follow_up_owed(local_label, today=today)
    context = {
        "label": label,
        "withdrawal": withdrawal,
        "service": _service(label),
        "stop_by": stop_using_mark_by(effective_on),
        "locals": list(locals_keeping_mark_conditionally(label, effective_on)),
    }
    _notify(
        to=service_staff_emails(_service(label)) + ditp_emails(), template="label_withdrawn", context=context
    )
    return withdrawal


@transaction.atomic
def withdrawals_take_effect(*, today: datetime.date | None = None) -> int:
    """Mark withdrawn the labels whose withdrawal reached its effective date; safe to run twice (a sweep)."""
    today = today or timezone.localdate()
    due = (
        Label.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(withdrawal__effective_on__lte=today)
        .exclude(status=LabelStatus.WITHDRAWN)
    )
    count = 0
    for label in due:
        _set_status(label, LabelStatus.WITHDRAWN)
        count += 1
    return count


# --- Action plans (§3.8.1, §3.9) ------------------------------------------------------------------------------------


def action_plan_overdue(request: ActionPlanRequest, on: datetime.date | None = None) -> bool:
    """The plan is due by `due_on` included; not produced by then, the body may suspend the label (§5.3.1)."""
    return request.submitted_at is None and (on or timezone.localdate()) > request.due_on


@transaction.atomic
def action_plan_submit(
    *, user, request: ActionPlanRequest, summary: str, today: datetime.date | None = None
) -> ActionPlanRequest:
    """The labelled service produces the action plan required after its follow-up audit, by the due date."""
    today = today or timezone.localdate()
    if not permissions.can_act_for_labelled_service(user, request.label):
        raise PermissionDenied
    request = ActionPlanRequest.objects.select_for_update().select_related("label").get(pk=request.pk)
    if request.submitted_at is not None:
        raise ValidationError({"__all__": _("Le plan d’actions a déjà été produit.")})
    if today > request.due_on:
        raise ValidationError(
            {
                "__all__": _("Le délai pour produire le plan d’actions a expiré le %(date)s.")
                % {"date": _fr(request.due_on)}
            }
        )
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError({"summary": _("Décrivez le plan d’actions.")})
    if len(summary) > TEXT_MAX_LENGTH:
        raise ValidationError({"summary": _("%(max)s caractères au plus.") % {"max": TEXT_MAX_LENGTH}})
    request.summary = summary
    request.submitted_at = timezone.now()
    request.save(update_fields=["summary", "submitted_at"])
    deadlines_close(request)
    _notify(
        to=body_manager_emails(request.label.certification_body),
        template="label_action_plan_submitted",
        context={"label": request.label, "request": request, "service": _service(request.label)},
    )
    return request


# --- Appeals (§5.1) -------------------------------------------------------------------------------------------------


@transaction.atomic
def appeal_file(*, user, decision: Decision, grounds: str) -> Appeal:
    """The service appeals a decision about it to the body's impartial committee; one pending appeal per decision."""
    if not permissions.can_file_appeal(user, decision):
        raise PermissionDenied
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    grounds = (grounds or "").strip()
    if not grounds:
        raise ValidationError({"grounds": _("Exposez les motifs du recours.")})
    if len(grounds) > TEXT_MAX_LENGTH:
        raise ValidationError({"grounds": _("%(max)s caractères au plus.") % {"max": TEXT_MAX_LENGTH}})
    if Decision.objects.filter(replaces=decision).exists():
        raise ValidationError(
            {"__all__": _("Cette décision a été remplacée : le recours porte sur la nouvelle.")}
        )
    if decision.appeals.filter(status=AppealStatus.PENDING).exists():
        raise ValidationError({"__all__": _("Un recours contre cette décision est déjà en cours d’examen.")})
    appeal = Appeal.objects.create(decision=decision, grounds=grounds, filed_by=user)
    _notify(
        to=body_manager_emails(decision.certification_body),
        template="label_appeal_filed",
        context={"appeal": appeal, "decision": decision, "service": decision.candidate},
    )
    return appeal


def _issue_new_decision(*, user, appeal: Appeal, motivation: str) -> Decision:
    """An upheld appeal leads to a new decision on the same file, replacing the contested one (§5.1)."""
    from decisions.services import decision_issue

    return decision_issue(
        user=user, application=appeal.decision.application, replaces=appeal.decision, motivation=motivation
    )


@transaction.atomic
def appeal_record(
    *, user, appeal: Appeal, status: str, committee_opinion: str, motivation: str = ""
) -> Appeal:
    """The body's managers record the committee's opinion: dismissed, or upheld with a new decision."""
    if not permissions.can_record_appeal(user, appeal):
        raise PermissionDenied
    appeal = Appeal.objects.select_for_update().select_related("decision").get(pk=appeal.pk)
    if appeal.status != AppealStatus.PENDING:
        raise ValidationError({"__all__": _("Ce recours a déjà été examiné.")})
    if status not in (AppealStatus.UPHELD, AppealStatus.DISMISSED):
        raise ValidationError({"status": _("Choisissez l’avis du comité.")})
    committee_opinion = (committee_opinion or "").strip()
    if not committee_opinion:
        raise ValidationError({"committee_opinion": _("Indiquez l’avis motivé du comité impartial.")})
    if len(committee_opinion) > TEXT_MAX_LENGTH:
        raise ValidationError(
            {"committee_opinion": _("%(max)s caractères au plus.") % {"max": TEXT_MAX_LENGTH}}
        )
    appeal.status = status
    appeal.committee_opinion = committee_opinion
    appeal.recorded_by = user
    appeal.decided_at = timezone.now()
    fields = ["status", "committee_opinion", "recorded_by", "decided_at"]
    if status == AppealStatus.UPHELD:
        appeal.new_decision = _issue_new_decision(
            user=user, appeal=appeal, motivation=(motivation or "").strip() or committee_opinion
        )
        fields.append("new_decision")
    appeal.save(update_fields=fields)
    return appeal
