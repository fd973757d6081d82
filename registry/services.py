"""The DITP's decisions on certification bodies' habilitations (§1.3; issue #8 « DITP back office »).

A habilitation lasts five years (`rules.habilitation_end`) and rests on the engagement contract signed with the
DITP. The DITP grants it, renews it at its term, suspends it (and lifts the suspension) or withdraws it. Each
decision is a transition of `HabilitationStatus` taken here, never in a view: the body's row is locked, changed with
`save(update_fields=...)` (so its history records the edit) and a `HabilitationLog` entry records who decided,
when, why, and the period and contract left in force. The body's managers and the DITP are notified by e-mail.

While its habilitation is not active (suspended, withdrawn, not yet begun or ended), a body is offered to no
candidate (`CertificationBody.objects.habilitated`) and issues no decision (`decisions.services.decision_issue`).
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from labelsp.accounts.recipients import body_manager_emails, ditp_emails
from labelsp.accounts.scoping import sees_everything
from labelsp.emails import send_templated_email
from labelsp.workflow import Transition, TransitionNotAllowed
from registry import rules
from registry.enums import HabilitationStatus
from registry.models import CertificationBody, HabilitationLog

REASON_MAX_LENGTH = 5000

ACTIVE, SUSPENDED, WITHDRAWN = (
    HabilitationStatus.ACTIVE,
    HabilitationStatus.SUSPENDED,
    HabilitationStatus.WITHDRAWN,
)

# The transition table. A withdrawn body may be habilitated again (a new grant, after a new application); an active
# one is renewed at its term, a suspended one must first have its suspension lifted.
GRANT = Transition("grant", {WITHDRAWN}, ACTIVE)
RENEW = Transition("renew", {ACTIVE}, ACTIVE)
SUSPEND = Transition("suspend", {ACTIVE}, SUSPENDED)
LIFT = Transition("lift", {SUSPENDED}, ACTIVE)
WITHDRAW = Transition("withdraw", {ACTIVE, SUSPENDED}, WITHDRAWN)
TRANSITIONS = {spec.name: spec for spec in (GRANT, RENEW, SUSPEND, LIFT, WITHDRAW)}
TRANSITION_LABELS = {
    GRANT.name: gettext_lazy("Habilitation accordée"),
    RENEW.name: gettext_lazy("Habilitation renouvelée"),
    SUSPEND.name: gettext_lazy("Habilitation suspendue"),
    LIFT.name: gettext_lazy("Suspension levée"),
    WITHDRAW.name: gettext_lazy("Habilitation retirée"),
}
NOT_ALLOWED_MESSAGES = {
    GRANT.name: gettext_lazy(
        "Cet organisme est déjà habilité (ou suspendu) : renouvelez son habilitation ou levez la suspension."
    ),
    RENEW.name: gettext_lazy(
        "Seule une habilitation en vigueur se renouvelle : levez d’abord la suspension, ou accordez une nouvelle "
        "habilitation après un retrait."
    ),
    SUSPEND.name: gettext_lazy("Seule une habilitation en vigueur peut être suspendue."),
    LIFT.name: gettext_lazy("L’habilitation de cet organisme n’est pas suspendue."),
    WITHDRAW.name: gettext_lazy("L’habilitation de cet organisme est déjà retirée."),
}


def _fr(day: datetime.date) -> str:
    return formats.date_format(day, "j F Y")


# --- Pure rules -----------------------------------------------------------------------------------------------------


def renewal_start(*, current_end: datetime.date, today: datetime.date) -> datetime.date:
    """A renewal continues the habilitation: it starts the day after the current end, or today when the
    habilitation has already ended (§1.3, renewal « à échéance »). Renewed on 1 March 2030 a habilitation ending on
    28 February 2030 starts on 1 March 2030; renewed early, on 1 December 2029, it still starts on 1 March 2030."""
    return max(current_end + datetime.timedelta(days=1), today)


def available_transitions(status: str) -> list[str]:
    """The names of the transitions the DITP may take from `status`, in the table's order."""
    return [name for name, spec in TRANSITIONS.items() if status in spec.sources]


# --- Transitions ----------------------------------------------------------------------------------------------------


def _check_ditp(user) -> None:
    if not sees_everything(user):
        raise PermissionDenied


def _locked(body: CertificationBody) -> CertificationBody:
    """Re-read the body under a row lock: two DITP agents cannot decide on it at once."""
    return CertificationBody.objects.select_for_update().get(pk=body.pk)


def _check_source(body: CertificationBody, spec: Transition) -> None:
    if body.habilitation_status not in spec.sources:
        raise ValidationError({"__all__": str(NOT_ALLOWED_MESSAGES[spec.name])})


def _clean_reason(reason: str, *, required: bool, required_message: str = "") -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationError({"reason": required_message})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": _("%(max)s caractères au plus.") % {"max": REASON_MAX_LENGTH}})
    return reason


def _check_contract(
    signed_on: datetime.date | None, *, today: datetime.date, previous: datetime.date | None = None
) -> dict:
    """The engagement contract binds the body to the DITP (§1.3): it is signed before it takes effect."""
    if signed_on is None:
        return {"signed_on": _("Indiquez la date de signature du contrat d’engagement.")}
    if signed_on > today:
        return {"signed_on": _("Le contrat d’engagement doit être signé : sa date ne peut pas être future.")}
    if previous is not None and signed_on < previous:
        return {
            "signed_on": _(
                "Le contrat d’engagement du renouvellement ne peut pas précéder le contrat en vigueur (signé le "
                "%(date)s)."
            )
            % {"date": _fr(previous)}
        }
    return {}


def _move(
    body: CertificationBody,
    spec: Transition,
    *,
    user,
    reason: str = "",
    updates: dict | None = None,
) -> HabilitationLog:
    """Take `spec` on the locked `body`: change its row (recorded by its history), write the log, notify."""
    if (
        body.habilitation_status not in spec.sources
    ):  # the caller checked it under the lock: a programming error
        raise TransitionNotAllowed(f"{spec.name} is not allowed from {body.habilitation_status}")
    from_state = body.habilitation_status
    updates = {"habilitation_status": spec.target, **(updates or {})}
    for field, value in updates.items():
        setattr(body, field, value)
    body.save(update_fields=list(updates))
    entry = HabilitationLog.objects.create(
        certification_body=body,
        transition=spec.name,
        from_state=from_state,
        to_state=spec.target,
        actor=user,
        reason=reason,
        habilitation_start=body.habilitation_start,
        habilitation_end=body.habilitation_end,
        engagement_contract_signed_on=body.engagement_contract_signed_on,
    )
    context = {
        "body": body,
        "entry": entry,
        "title": str(TRANSITION_LABELS[spec.name]),
        "status_label": str(HabilitationStatus(spec.target).label),
    }
    recipients = body_manager_emails(body) + ditp_emails()
    transaction.on_commit(
        lambda: send_templated_email(to=recipients, template="habilitation_changed", context=context)
    )
    return entry


def _refresh(target: CertificationBody, source: CertificationBody) -> None:
    """Give the caller's instance the saved state."""
    for field in (
        "habilitation_status",
        "habilitation_start",
        "habilitation_end",
        "engagement_contract_signed_on",
    ):
        setattr(target, field, getattr(source, field))


@transaction.atomic
def habilitation_grant(
    *,
    user,
    certification_body: CertificationBody,
    starts_on: datetime.date,
    signed_on: datetime.date | None,
    reason: str = "",
    today: datetime.date | None = None,
) -> HabilitationLog:
    """The DITP habilitates a body (again, after a withdrawal) for five years from `starts_on`, on the engagement
    contract signed on `signed_on` (§1.3). The habilitation is never retroactive and starts once the contract is
    signed."""
    today = today or timezone.localdate()
    _check_ditp(user)
    body = _locked(certification_body)
    _check_source(body, GRANT)
    errors = _check_contract(signed_on, today=today)
    if starts_on < today:
        errors["starts_on"] = _(
            "Une habilitation ne peut pas être rétroactive : elle commence au plus tôt aujourd’hui."
        )
    elif signed_on is not None and "signed_on" not in errors and starts_on < signed_on:
        errors["starts_on"] = _(
            "L’habilitation ne peut pas commencer avant la signature du contrat d’engagement."
        )
    if errors:
        raise ValidationError(errors)
    reason = _clean_reason(reason, required=False)
    entry = _move(
        body,
        GRANT,
        user=user,
        reason=reason,
        updates={
            "habilitation_start": starts_on,
            "habilitation_end": rules.habilitation_end(starts_on),
            "engagement_contract_signed_on": signed_on,
        },
    )
    _refresh(certification_body, body)
    return entry


@transaction.atomic
def habilitation_renew(
    *,
    user,
    certification_body: CertificationBody,
    signed_on: datetime.date | None,
    reason: str = "",
    today: datetime.date | None = None,
) -> HabilitationLog:
    """The DITP renews a body's habilitation for five years on a new engagement contract (§1.3). The new period
    starts the day after the current end (today if it has already ended, `renewal_start`); renewed before its term,
    the habilitation stays continuous, so its start date is kept and only its end moves."""
    today = today or timezone.localdate()
    _check_ditp(user)
    body = _locked(certification_body)
    _check_source(body, RENEW)
    errors = _check_contract(signed_on, today=today, previous=body.engagement_contract_signed_on)
    if errors:
        raise ValidationError(errors)
    reason = _clean_reason(reason, required=False)
    start = renewal_start(current_end=body.habilitation_end, today=today)
    updates = {"habilitation_end": rules.habilitation_end(start), "engagement_contract_signed_on": signed_on}
    if start > body.habilitation_end + datetime.timedelta(days=1):
        updates["habilitation_start"] = start  # a lapsed habilitation: a new period, not a continuation
    entry = _move(body, RENEW, user=user, reason=reason, updates=updates)
    _refresh(certification_body, body)
    return entry


@transaction.atomic
def habilitation_suspend(*, user, certification_body: CertificationBody, reason: str) -> HabilitationLog:
    """The DITP suspends a habilitation, for a stated reason (§1.3): from now on the body is offered to no candidate
    and issues no decision. Its dates are kept: lifting the suspension does not extend them."""
    _check_ditp(user)
    body = _locked(certification_body)
    _check_source(body, SUSPEND)
    reason = _clean_reason(reason, required=True, required_message=_("Indiquez le motif de la suspension."))
    entry = _move(body, SUSPEND, user=user, reason=reason)
    _refresh(certification_body, body)
    return entry


@transaction.atomic
def habilitation_lift(*, user, certification_body: CertificationBody, reason: str = "") -> HabilitationLog:
    """The DITP lifts a suspension: the habilitation is active again until its unchanged end date."""
    _check_ditp(user)
    body = _locked(certification_body)
    _check_source(body, LIFT)
    reason = _clean_reason(reason, required=False)
    entry = _move(body, LIFT, user=user, reason=reason)
    _refresh(certification_body, body)
    return entry


@transaction.atomic
def habilitation_withdraw(*, user, certification_body: CertificationBody, reason: str) -> HabilitationLog:
    """The DITP withdraws a habilitation, for a stated reason (§1.3). Only a new grant habilitates the body again."""
    _check_ditp(user)
    body = _locked(certification_body)
    _check_source(body, WITHDRAW)
    reason = _clean_reason(reason, required=True, required_message=_("Indiquez le motif du retrait."))
    entry = _move(body, WITHDRAW, user=user, reason=reason)
    _refresh(certification_body, body)
    return entry
