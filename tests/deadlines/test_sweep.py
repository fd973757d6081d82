"""The sweep: who is told, moved dates, redelivery of unsent e-mails, the partial index (the concurrent runs are in
test_sweep_concurrency.py)."""

import datetime

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from labelsp.accounts.enums import Role
from labelsp.deadlines.enums import Actor, DeadlineKind, DeadlineStatus, Step
from labelsp.deadlines.models import Deadline, Notification
from labelsp.deadlines.services import deadline_set, notifications_redeliver, recipients, sweep
from tests.accounts.factories import MembershipFactory
from tests.candidates.factories import CentralServiceFactory, LocalServiceFactory
from tests.decisions.factories import LabelFactory

TODAY = datetime.date.today()


def _due_today(label, n=1, kind=DeadlineKind.RENEWAL):
    """A deadline whose notice falls today (a renewal invitation: one step, on its due date)."""
    return deadline_set(key=f"test:{label.pk}:{n}", kind=kind, subject=label, due_on=TODAY)


def _agent(service):
    return MembershipFactory(role=Role.CANDIDATE, organisation=service).user


@pytest.mark.django_db
def test_who_is_told_before_and_after_the_due_date():
    central = CentralServiceFactory()
    local = LocalServiceFactory(parent=central)
    label = LabelFactory(decision__application__local_service=local)
    agent = _agent(local)
    central_agent = MembershipFactory(role=Role.CENTRAL, organisation=central).user
    manager = MembershipFactory(role=Role.CB_MANAGER, organisation=label.certification_body).user
    ditp = MembershipFactory(role=Role.DITP, organisation=None).user
    MembershipFactory(role=Role.CANDIDATE, organisation=LocalServiceFactory())  # another service: never told
    surveys = deadline_set(key="t:surveys", kind=DeadlineKind.SURVEYS, subject=label, due_on=TODAY)
    assert list(recipients(surveys, Step.REMINDER_7)) == [agent]
    assert set(recipients(surveys, Step.ESCALATION)) == {agent, central_agent, manager}
    from decisions.models import Suspension

    suspension = Suspension.objects.create(
        label=label, reason="at_request", starts_on=TODAY, ends_on=TODAY, decided_by=manager
    )
    end = deadline_set(
        key="t:suspension",
        kind=DeadlineKind.SUSPENSION_END,
        subject=suspension,
        due_on=TODAY,
        actor=Actor.BODY,
    )
    assert end.local_service == local and end.certification_body == label.certification_body
    assert list(recipients(end, Step.REMINDER_7)) == [manager]
    assert set(recipients(end, Step.ESCALATION)) == {agent, central_agent, manager, ditp}


@pytest.mark.django_db
def test_a_revoked_membership_is_no_longer_told():
    label = LabelFactory()
    membership = MembershipFactory(role=Role.CANDIDATE, organisation=label.local_service)
    deadline = _due_today(label)
    membership.revoked_at = timezone.now()
    membership.save()
    assert list(recipients(deadline, Step.DUE)) == []


@pytest.mark.django_db
def test_moving_a_deadline_restarts_its_steps_and_a_closed_one_stays_closed():
    label = LabelFactory()
    deadline = deadline_set(
        key="t:x", kind=DeadlineKind.SURVEYS, subject=label, due_on=TODAY + datetime.timedelta(days=60)
    )
    assert (deadline.stage, deadline.next_action_on) == (0, TODAY + datetime.timedelta(days=30))
    moved = deadline_set(
        key="t:x", kind=DeadlineKind.SURVEYS, subject=label, due_on=TODAY + datetime.timedelta(days=10)
    )
    assert moved.pk == deadline.pk
    assert (moved.stage, moved.next_action_on) == (1, TODAY + datetime.timedelta(days=3))
    Deadline.objects.filter(pk=deadline.pk).update(status=DeadlineStatus.DONE)
    again = deadline_set(key="t:x", kind=DeadlineKind.SURVEYS, subject=label, due_on=TODAY)
    assert again.status == DeadlineStatus.DONE and again.due_on == TODAY + datetime.timedelta(days=10)


@pytest.mark.django_db
def test_unsent_emails_are_queued_again(django_capture_on_commit_callbacks):
    label = LabelFactory()
    _agent(label.local_service)
    _due_today(label)
    sweep()  # its delivery waits for a commit that never comes in this test: as if the queue message were lost
    notification = Notification.objects.get()
    assert notification.emailed_at is None
    assert notifications_redeliver() == 0  # too recent: it may still be on its way
    Notification.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=16))
    mail.outbox.clear()
    assert notifications_redeliver() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_sweep_reads_due_rows_through_the_partial_index():
    label = LabelFactory()
    _due_today(label)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = (
            Deadline.objects.filter(status=DeadlineStatus.OPEN, next_action_on__lte=TODAY)
            .order_by("next_action_on", "id")[:500]
            .explain()
        )
    assert "deadline_sweep" in plan
