"""A whole label cycle, day by day under time travel: every reminder once, each escalation on its day, the renewal
invitation 9 months before expiry, expiry taking the service off the public list (issue #7)."""

import datetime
from collections import Counter

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.core import mail

from decisions import services
from decisions.models import Label
from decisions.services_lifecycle import public_labels
from labelsp.accounts.enums import Role
from labelsp.deadlines.enums import DeadlineKind, DeadlineStatus, Step
from labelsp.deadlines.models import Deadline, Notification
from labelsp.deadlines.services import sweep
from tests.accounts.factories import MembershipFactory
from tests.decisions.test_services import _decidable

pytestmark = pytest.mark.django_db
START = datetime.date.today()  # the test helpers date the audit and surveys from today
DAY = datetime.timedelta(days=1)


def _days(first, last):
    day = first
    while day <= last:
        yield day
        day += datetime.timedelta(days=1)


@pytest.fixture
def labelled():
    """An independent local service labelled Or on START, with one candidate agent; the body has its manager."""
    application, manager = _decidable()
    agent = MembershipFactory(role=Role.CANDIDATE, organisation=application.local_service).user
    decision = services.decision_issue(user=manager, application=application)
    return Label.objects.get(decision=decision), agent, manager


def test_a_whole_cycle_day_by_day(labelled, django_capture_on_commit_callbacks):
    label, agent, manager = labelled
    months = lambda n: START + relativedelta(months=n)  # noqa: E731
    assert label.ends_on == months(36) - DAY
    mail.outbox.clear()
    for day in _days(START, label.ends_on + 40 * DAY):
        with time_machine.travel(day, tick=False), django_capture_on_commit_callbacks(execute=True):
            sweep()
            sweep()  # a second sweep the same day finds nothing more to send
    sent = Notification.objects.select_related("deadline")
    # Exactly once per deadline, step and person, and every notification e-mailed once.
    assert len(mail.outbox) == sent.count() == len({(n.deadline_id, n.step, n.user_id) for n in sent})
    assert all(n.emailed_at for n in sent)

    def days(kind, step, user=agent):
        return [
            n.created_at.date()
            for n in sent.filter(deadline__kind=kind, step=step, user=user).order_by("created_at")
        ]

    # Follow-up audit: due at 18 months, window 16–20; reminders before the nominal date, escalation after the window.
    assert days(DeadlineKind.FOLLOW_UP_AUDIT, Step.REMINDER_30) == [months(18) - 30 * DAY]
    assert days(DeadlineKind.FOLLOW_UP_AUDIT, Step.REMINDER_7) == [months(18) - 7 * DAY]
    assert days(DeadlineKind.FOLLOW_UP_AUDIT, Step.ESCALATION) == [months(20) + DAY]
    # The escalation reaches the body's manager too; reminders do not.
    assert days(DeadlineKind.FOLLOW_UP_AUDIT, Step.ESCALATION, manager) == [months(20) + DAY]
    assert days(DeadlineKind.FOLLOW_UP_AUDIT, Step.REMINDER_7, manager) == []
    assert days(DeadlineKind.FOLLOW_UP_PREPARATION, Step.DUE) == [months(12)]
    assert days(DeadlineKind.SELF_ASSESSMENT, Step.ESCALATION) == [months(12) + DAY, months(24) + DAY]
    # Renewal invitation 9 months before expiry; expiry the day after the last day.
    assert days(DeadlineKind.RENEWAL, Step.DUE) == [months(27)]
    assert days(DeadlineKind.EXPIRY, Step.REMINDER_30) == [months(36) - 30 * DAY]
    assert days(DeadlineKind.EXPIRY, Step.DUE) == [months(36)]
    per_step = Counter((n.deadline.kind, n.step) for n in sent.filter(user=agent))
    assert per_step[(DeadlineKind.SURVEYS, Step.ESCALATION)] == 1
    # Expiry takes the service off the public list by itself.
    assert label in public_labels(on=months(36) - DAY)
    assert label not in public_labels(on=months(36))
    # Nothing is left to sweep: events are done, unmet obligations overdue.
    assert not Deadline.objects.filter(status=DeadlineStatus.OPEN).exists()
    assert set(Deadline.objects.values_list("status", flat=True)) == {
        DeadlineStatus.DONE,
        DeadlineStatus.OVERDUE,
    }


def test_a_sweep_that_did_not_run_for_weeks_sends_only_what_is_due_now(labelled):
    _label, agent, _manager = labelled
    surveys = Deadline.objects.get(kind=DeadlineKind.SURVEYS)
    mail.outbox.clear()
    with time_machine.travel(surveys.due_on - 3 * DAY, tick=False):
        sweep()
    steps = set(Notification.objects.filter(deadline=surveys, user=agent).values_list("step", flat=True))
    assert steps == {Step.REMINDER_7}


def test_a_renewal_cancels_what_remained_of_the_previous_cycle(labelled):
    from candidates.enums import ApplicationKind

    label, _agent, _manager = labelled
    # Renewed at once (the test helpers date audits from today): the previous cycle ends yesterday.
    renewal_day = START
    application, manager = _decidable(kind=ApplicationKind.RENEWAL, local_service=label.local_service)
    decision = services.decision_issue(user=manager, application=application)
    renewed = Label.objects.get(decision=decision)
    assert renewed.renews_id == label.pk
    old = Deadline.objects.filter(subject_id=label.pk, subject_type__model="label")
    assert not old.filter(status=DeadlineStatus.OPEN).exists()
    assert old.get(kind=DeadlineKind.EXPIRY).status == DeadlineStatus.CANCELLED
    new = Deadline.objects.filter(subject_id=renewed.pk, subject_type__model="label")
    assert new.get(kind=DeadlineKind.EXPIRY).due_on == renewal_day + relativedelta(years=3)
