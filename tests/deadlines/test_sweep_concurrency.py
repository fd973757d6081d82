"""The sweep and the deliveries under real concurrency: two sweeps at once, a worker dying mid-delivery, a row held
by another worker. Transactional tests (real commits), kept in their own file: pytest-django runs such files last,
and each restores the migrations' data it needs (serialized_rollback)."""

import datetime
import threading
from collections import Counter

import pytest
from django.core import mail
from django.db import connections, transaction

from labelsp.accounts.enums import Role
from labelsp.deadlines.enums import DeadlineKind
from labelsp.deadlines.models import Notification
from labelsp.deadlines.services import deadline_set, sweep
from labelsp.deadlines.tasks import deliver_notifications
from tests.accounts.factories import MembershipFactory
from tests.decisions.factories import LabelFactory

TODAY = datetime.date.today()


def _due_today(label, n=1, kind=DeadlineKind.RENEWAL):
    """A deadline whose notice falls today (a renewal invitation: one step, on its due date)."""
    return deadline_set(key=f"test:{label.pk}:{n}", kind=kind, subject=label, due_on=TODAY)


def _agent(service):
    return MembershipFactory(role=Role.CANDIDATE, organisation=service).user


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweeps_at_once_send_each_email_once():
    labels = [LabelFactory() for _ in range(6)]
    for label in labels:
        _agent(label.local_service)
        _agent(label.local_service)
        for n in range(5):
            _due_today(label, n)
    mail.outbox.clear()
    barrier = threading.Barrier(2)
    moved = []

    def run():
        try:
            barrier.wait()
            moved.append(sweep(batch=7))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(moved) == 30  # every deadline moved by exactly one of the two sweeps
    assert len(mail.outbox) == Notification.objects.count() == 60
    # Each agent got one message per deadline of its service.
    assert set(Counter(m.to[0] for m in mail.outbox).values()) == {5}
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_mid_delivery_is_followed_by_exactly_one_email(monkeypatch):
    label = LabelFactory()
    _agent(label.local_service)
    _due_today(label)
    calls = {"n": 0}
    real_send = mail.EmailMultiAlternatives.send

    def dies_the_first_time(message, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise SystemExit("worker killed")  # what a killed process leaves: nothing committed
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", dies_the_first_time)
    mail.outbox.clear()
    with pytest.raises(SystemExit):
        sweep()  # the delivery queued after the sweep's commit dies before sending
    notification = Notification.objects.get()
    assert notification.emailed_at is None and mail.outbox == []
    # acks_late + reject_on_worker_lost: the broker gives the task to another worker.
    assert deliver_notifications([notification.pk]) == 1
    assert deliver_notifications([notification.pk]) == 0  # and a duplicate of the message sends nothing
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.emailed_at is not None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_notification_held_by_one_worker_is_skipped_by_another():
    label = LabelFactory()
    _agent(label.local_service)
    _due_today(label)
    sweep()
    notification = Notification.objects.get()
    Notification.objects.filter(pk=notification.pk).update(emailed_at=None)  # as if still being sent
    mail.outbox.clear()
    result = []
    with transaction.atomic():
        Notification.objects.select_for_update().get(pk=notification.pk)  # another worker is sending it

        def other():
            try:
                result.append(deliver_notifications([notification.pk]))
            finally:
                connections.close_all()

        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
    assert result == [0] and mail.outbox == []
