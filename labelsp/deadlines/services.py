"""Deadlines: created and recomputed by the services that cause them, moved on by the sweep (issue #7).

`deadline_set` upserts one deadline by its key; `label_schedule_sync` recomputes every deadline of a label (after a
decision, an upgrade, an extension, a renewal, a withdrawal); `deadlines_close` marks a subject's deadlines done or
cancelled. `sweep` is the periodic task's body: it locks due rows with SKIP LOCKED (two sweeps never take the same
row), moves each to its next step with a conditional update, records one notification per person and step (a
unique constraint), and queues the e-mails after commit. Nothing is scheduled as a Celery ETA.
"""

import datetime
import gc
from functools import partial

from dateutil.relativedelta import relativedelta
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from labelsp.deadlines import rules
from labelsp.deadlines.enums import Actor, DeadlineKind, DeadlineStatus, Step
from labelsp.deadlines.models import CalendarFeed, Deadline, Notification, new_feed_token

SWEEP_BATCH = 500
# Notifications whose e-mail was queued but not sent after this long are queued again by the sweep.
REDELIVERY_AFTER = datetime.timedelta(minutes=15)


def _parties(subject) -> dict:
    """The organisations a deadline concerns, from its subject: a label or a decision names them; a suspension, a
    withdrawal or an action plan through its label; an audit through its application."""
    if not hasattr(subject, "local_service_id"):
        for related in ("label", "application"):
            if hasattr(subject, related):
                return _parties(getattr(subject, related))
    return {
        "local_service_id": getattr(subject, "local_service_id", None),
        "central_service_id": getattr(subject, "central_service_id", None),
        "certification_body_id": getattr(subject, "certification_body_id", None),
    }


@transaction.atomic
def deadline_set(
    *,
    key: str,
    kind: str,
    subject,
    due_on: datetime.date,
    actor: str = Actor.CANDIDATE,
    window_start: datetime.date | None = None,
    window_end: datetime.date | None = None,
    today: datetime.date | None = None,
) -> Deadline:
    """Create the deadline `key`, or move an open one to its new dates (its steps start again from today's)."""
    today = today or timezone.localdate()
    planned = rules.steps(kind, due_on, window_end)
    stage = rules.first_stage(planned, today)
    values = {
        "kind": kind,
        "subject_type": ContentType.objects.get_for_model(subject),
        "subject_id": subject.pk,
        "actor": actor,
        "due_on": due_on,
        "window_start": window_start,
        "window_end": window_end,
        **_parties(subject),
    }
    # An event already past when it is recorded (a renewal invitation of an old label…) is simply done.
    status = DeadlineStatus.OPEN if stage < len(planned) else DeadlineStatus.DONE
    deadline = Deadline.objects.select_for_update().filter(key=key).first()
    if deadline is None:
        return Deadline.objects.create(
            key=key,
            stage=stage,
            status=status,
            next_action_on=rules.next_action_on(planned, stage),
            closed_at=timezone.now() if status == DeadlineStatus.DONE else None,
            **values,
        )
    if deadline.status != DeadlineStatus.OPEN:
        return deadline
    moved = (deadline.due_on, deadline.window_end) != (due_on, window_end)
    if moved:
        values |= {"stage": stage, "next_action_on": rules.next_action_on(planned, stage), "status": status}
    changed = [field for field, value in values.items() if getattr(deadline, field) != value]
    for field in changed:
        setattr(deadline, field, values[field])
    if changed:  # nothing written (nor any history) when nothing changed
        deadline.save(update_fields=changed)
    return deadline


def deadlines_close(subject, *, kinds=None, status: str = DeadlineStatus.DONE, keys=None) -> int:
    """Close the subject's open (or overdue) deadlines, of `kinds` only when given, but those named in `keys`."""
    rows = _pending(subject)
    if kinds is not None:
        rows = rows.filter(kind__in=kinds)
    if keys is not None:
        rows = rows.exclude(key__in=keys)
    return _close(rows, status)


def _pending(subject):
    """The subject's deadlines still open or overdue."""
    return Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        status__in=(DeadlineStatus.OPEN, DeadlineStatus.OVERDUE),
    )


def _close(rows, status: str = DeadlineStatus.DONE) -> int:
    """Close `rows` (done or cancelled): nothing more to sweep."""
    return rows.update(status=status, next_action_on=None, closed_at=timezone.now())


@transaction.atomic
def label_schedule_sync(label, *, today: datetime.date | None = None, withdrawn: bool = False) -> None:
    """Recompute a label's deadlines from its dates: created, moved when the dates changed, cancelled when they no
    longer apply (a renewed or withdrawn label has none left open)."""
    from decisions.enums import LabelStatus

    if withdrawn or label.status == LabelStatus.WITHDRAWN or label.is_renewed():
        deadlines_close(label, status=DeadlineStatus.CANCELLED)
        return
    application = label.decision.application
    planned = rules.label_schedule(
        starts_on=label.starts_on,
        ends_on=label.ends_on,
        central=label.central_service_id is not None,
        through_central=application.central_application_id is not None,
    )
    keys = []
    for item in planned:
        key = f"label:{label.pk}:{item.kind}:{item.number}"
        keys.append(key)
        deadline_set(
            key=key,
            kind=item.kind,
            subject=label,
            due_on=item.due_on,
            actor=item.actor,
            window_start=item.window_start,
            window_end=item.window_end,
            today=today,
        )
    # What no longer applies is cancelled — except a local follow-up audit a network local came to owe
    # (`local_follow_up_owed`), which its label's own schedule does not hold.
    kept = [DeadlineKind.FOLLOW_UP_AUDIT] if application.central_application_id else []
    deadlines_close(
        label,
        status=DeadlineStatus.CANCELLED,
        keys=keys,
        kinds=[kind for kind in DeadlineKind.values if kind not in kept],
    )


def local_follow_up_owed(label, *, today: datetime.date | None = None) -> Deadline:
    """A local labelled through its central service now owes a local follow-up audit of its own (§3.9.2: its central
    service was refused; §5.3.2: its central label was withdrawn less than 2 years after the local's label): at 18
    months, window 16–20, as an independent local. Interpretation: when that window has already passed, it runs
    until 2 months from today, so that the audit can still be planned and is escalated if it is not."""
    today = today or timezone.localdate()
    window_end = max(label.starts_on + relativedelta(months=20), today + relativedelta(months=2))
    return deadline_set(
        key=f"label:{label.pk}:{DeadlineKind.FOLLOW_UP_AUDIT}:1",
        kind=DeadlineKind.FOLLOW_UP_AUDIT,
        subject=label,
        due_on=min(label.starts_on + relativedelta(months=18), window_end),
        window_start=label.starts_on + relativedelta(months=16),
        window_end=window_end,
        today=today,
    )


def local_follow_ups_waived(central_service_id: int) -> int:
    """The central label arrived: its network's locals labelled through it owe no local follow-up audit any more."""
    from decisions.models import Label

    labels = Label.objects.filter(
        local_service__parent_id=central_service_id, decision__application__central_application__isnull=False
    )
    return _close(
        Deadline.objects.filter(
            subject_type=ContentType.objects.get_for_model(Label),
            subject_id__in=labels.values("pk"),
            kind=DeadlineKind.FOLLOW_UP_AUDIT,
            status__in=(DeadlineStatus.OPEN, DeadlineStatus.OVERDUE),
        ),
        DeadlineStatus.CANCELLED,
    )


def follow_up_done(label) -> None:
    """A follow-up decision was issued on the label: its next follow-up audit (and what prepares it) is done."""
    pending = _pending(label)
    nxt = pending.filter(kind=DeadlineKind.FOLLOW_UP_AUDIT).order_by("due_on").first()
    if nxt is not None:
        _close(pending.filter(pk=nxt.pk))
    _close(
        pending.filter(
            kind__in=(DeadlineKind.FOLLOW_UP_PREPARATION, DeadlineKind.SURVEYS),
            due_on__lte=nxt.due_on if nxt else label.ends_on,
        )
    )


# --- Who is told -----------------------------------------------------------------------------------------------


def recipients(deadline: Deadline, step: str):
    """The people told of a step. Before and on the due date: those who must act. Once it has passed: the service,
    its central service when it has one, the certification body's managers, and the DITP for suspensions and
    withdrawals."""
    from labelsp.accounts.enums import Role
    from labelsp.accounts.models import Membership, User

    condition = Q(pk__in=[])
    service_roles = Q(role=Role.CANDIDATE, local_service_id=deadline.local_service_id) | Q(
        role=Role.CENTRAL, central_service_id=deadline.central_service_id
    )
    body = Q(role=Role.CB_MANAGER, certification_body_id=deadline.certification_body_id)
    escalation = step == Step.ESCALATION
    if deadline.actor == Actor.CANDIDATE or escalation:
        condition |= service_roles
    if deadline.actor == Actor.BODY or escalation:
        condition |= body
    if escalation and deadline.local_service_id and deadline.local_service.parent_id:
        condition |= Q(role=Role.CENTRAL, central_service_id=deadline.local_service.parent_id)
    if deadline.actor == Actor.DITP or (escalation and deadline.kind in rules.DITP_ESCALATIONS):
        condition |= Q(role=Role.DITP)
    memberships = Membership.objects.active().filter(condition)
    return User.objects.filter(pk__in=memberships.values("user_id"), is_active=True).order_by("pk")


def _message(deadline: Deadline, step: str) -> tuple[str, str, str]:
    from django.template.loader import render_to_string

    context = {"deadline": deadline, "step": step, "service": deadline.service, "Step": Step}
    subject = " ".join(render_to_string("deadlines/notification_subject.txt", context).split())
    body = render_to_string("deadlines/notification_body.txt", context).strip()
    # Every notification leads to the person's deadlines, where each one can be acted on.
    return subject[:250], body, reverse("deadlines:deadline_list")


# --- The sweep -----------------------------------------------------------------------------------------------------


def _advance(deadline: Deadline, today: datetime.date) -> list[int]:
    """Send the step due on this (locked) deadline and move it on; the ids of the notifications to e-mail."""
    planned = rules.steps(deadline.kind, deadline.due_on, deadline.window_end)
    index = rules.stage_to_run(planned, deadline.stage, today)
    if index is None:  # its dates moved since it was read: just fix the next action
        Deadline.objects.filter(pk=deadline.pk).update(
            next_action_on=rules.next_action_on(planned, deadline.stage)
        )
        return []
    step = planned[index][1]
    stage = index + 1
    if step == Step.ESCALATION:
        status = DeadlineStatus.OVERDUE
    elif stage >= len(planned):
        status = DeadlineStatus.DONE  # an event (renewal invitation, expiry…): told, nothing more to do
    else:
        status = DeadlineStatus.OPEN
    moved = Deadline.objects.filter(pk=deadline.pk, stage=deadline.stage, status=DeadlineStatus.OPEN).update(
        stage=stage,
        next_action_on=rules.next_action_on(planned, stage) if status == DeadlineStatus.OPEN else None,
        status=status,
        closed_at=timezone.now() if status == DeadlineStatus.DONE else None,
    )
    if not moved:
        return []
    subject, body, url = _message(deadline, step)
    Notification.objects.bulk_create(
        [
            Notification(user=user, deadline=deadline, step=step, subject=subject, body=body, url=url)
            for user in recipients(deadline, step)
        ],
        ignore_conflicts=True,
    )
    return list(
        Notification.objects.filter(deadline=deadline, step=step, emailed_at__isnull=True).values_list(
            "pk", flat=True
        )
    )


def sweep(*, today: datetime.date | None = None, batch: int = SWEEP_BATCH) -> int:
    """Move every due deadline on by one step, in batches of `batch` rows, each batch its own transaction (memory
    and locks stay bounded however many are due). Returns how many deadlines were moved."""
    from labelsp.deadlines.tasks import deliver_notifications

    today = today or timezone.localdate()
    moved = 0
    while True:
        with transaction.atomic():
            rows = list(
                Deadline.objects.filter(status=DeadlineStatus.OPEN, next_action_on__lte=today)
                .select_related("local_service", "central_service", "certification_body")
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("next_action_on", "id")[:batch]
            )
            ids = []
            for deadline in rows:
                ids += _advance(deadline, today)
            if ids:
                transaction.on_commit(partial(deliver_notifications.delay, ids))
        moved += len(rows)
        if len(rows) < batch:
            return moved
        # Model instances hold reference cycles: free this batch's before the next, so memory stays flat.
        del rows, ids
        gc.collect()


def notifications_redeliver() -> int:
    """Queue again the e-mails of notifications left unsent (a lost queue message)."""
    from labelsp.deadlines.tasks import deliver_notifications

    ids = list(
        Notification.objects.filter(
            emailed_at__isnull=True, deadline__isnull=False, created_at__lt=timezone.now() - REDELIVERY_AFTER
        ).values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    if ids:
        deliver_notifications.delay(ids)
    return len(ids)


def notification_deliver(pk: int) -> bool:
    """E-mail one notification unless it already was: the row is locked, the message sent, then `emailed_at` set in
    the same transaction. A worker killed before the send leaves the row unsent (the task is redelivered: acks_late,
    reject_on_worker_lost) and a second worker skips a row the first still holds."""
    from django.conf import settings
    from django.core.mail import EmailMultiAlternatives
    from django.template.loader import render_to_string

    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=pk, emailed_at__isnull=True)
            .select_related("user")
            .first()
        )
        if notification is None or not notification.user.email:
            return False
        context = {"notification": notification, "SITE_URL": settings.SITE_URL}
        message = EmailMultiAlternatives(
            subject=f"[Services Publics +] {notification.subject}",
            body=render_to_string("emails/notification_body.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notification.user.email],
        )
        message.attach_alternative(render_to_string("emails/notification_body.html", context), "text/html")
        message.send()
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
        return True


# --- The person's own feed and notifications -----------------------------------------------------------------------


@transaction.atomic
def calendar_feed_issue(*, user) -> CalendarFeed:
    """Give the user a feed with a new secret token: the previous address, if any, stops working at once."""
    feed, created = CalendarFeed.objects.select_for_update().get_or_create(user=user)
    if not created:
        feed.token = new_feed_token()
        feed.created_at = timezone.now()
        feed.revoked_at = None
        feed.save(update_fields=["token", "created_at", "revoked_at"])
    return feed


@transaction.atomic
def calendar_feed_revoke(*, user) -> bool:
    """Stop the user's feed; False when there was none to stop."""
    feed = CalendarFeed.objects.select_for_update().filter(user=user, revoked_at__isnull=True).first()
    if feed is None:
        return False
    feed.revoked_at = timezone.now()
    feed.save(update_fields=["revoked_at"])
    return True


def notifications_mark_read(*, user, pk: int | None = None) -> int:
    """Mark the user's unread notifications read (only the one `pk` when given); how many were."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if pk is not None:
        unread = unread.filter(pk=pk)
    return unread.update(read_at=timezone.now())


def _acts_for(user) -> tuple[set, set]:
    """The local and central services the user acts for as their staff."""
    from labelsp.accounts.enums import Role

    locals_, centrals = set(), set()
    for membership in user.memberships.active():
        if membership.role == Role.CANDIDATE:
            locals_.add(membership.local_service_id)
        elif membership.role == Role.CENTRAL:
            centrals.add(membership.central_service_id)
    return locals_, centrals


def _declarable(deadline: Deadline, locals_: set, centrals: set) -> bool:
    return (
        deadline.kind in rules.SELF_DECLARED
        and deadline.actor == Actor.CANDIDATE
        and deadline.status in (DeadlineStatus.OPEN, DeadlineStatus.OVERDUE)
        and (deadline.local_service_id in locals_ or deadline.central_service_id in centrals)
    )


def can_declare_done(user, deadline: Deadline) -> bool:
    """The staff of the service that must act, for an obligation the platform cannot observe, while it is pending."""
    return _declarable(deadline, *_acts_for(user))


def declarable_ids(user, deadlines) -> set[int]:
    """Which of `deadlines` the user may declare done (one query, whatever their number)."""
    locals_, centrals = _acts_for(user)
    return {deadline.pk for deadline in deadlines if _declarable(deadline, locals_, centrals)}


@transaction.atomic
def deadline_declare_done(*, user, deadline: Deadline) -> Deadline:
    """The service declares an obligation done (a self-assessment carried out, surveys run, the mark removed…):
    no more reminders nor escalation; who and when are recorded."""
    from django.core.exceptions import PermissionDenied

    deadline = Deadline.objects.select_for_update().get(pk=deadline.pk)
    if not can_declare_done(user, deadline):
        raise PermissionDenied
    deadline.status = DeadlineStatus.DONE
    deadline.next_action_on = None
    deadline.closed_at = timezone.now()
    deadline.done_by = user
    deadline.save(update_fields=["status", "next_action_on", "closed_at", "done_by"])
    return deadline
