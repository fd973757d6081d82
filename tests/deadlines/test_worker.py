"""The scheduled path end to end on a real Celery worker and a real Redis: the beat task sweeps a due deadline in
the worker, which records the notification and e-mails it (issue #7)."""

import os
import time
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

from labelsp.accounts.enums import Role
from labelsp.deadlines.enums import DeadlineKind
from labelsp.deadlines.models import Notification
from labelsp.deadlines.services import deadline_set
from labelsp.deadlines.tasks import sweep_deadlines
from tests.accounts.factories import MembershipFactory
from tests.celery_support import celery_worker, wait_for_files
from tests.decisions.factories import LabelFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.redis,
    pytest.mark.celery_worker,
]


def _test_database_url() -> str:
    """DATABASE_URL, pointing at this test run's database (the worker is another process)."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


def test_the_beat_task_run_by_a_real_worker_notifies_and_emails_once(tmp_path):
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        pytest.fail("REDIS_URL is not set: run the suite with `make test`, which starts a throwaway Redis.")
    label = LabelFactory()
    agent = MembershipFactory(role=Role.CANDIDATE, organisation=label.local_service).user
    # The renewal invitation falls today: a notice on the day.
    deadline = deadline_set(
        key=f"label:{label.pk}:renewal:1", kind=DeadlineKind.RENEWAL, subject=label, due_on=label.starts_on
    )
    with celery_worker(redis_url, tmp_path, {"DATABASE_URL": _test_database_url()}) as (_queue, outbox):
        sweep_deadlines.delay()
        files = wait_for_files(outbox)
        assert len(files) == 1, "the worker did not sweep and deliver within 60 s"
        sweep_deadlines.delay()  # a second run finds nothing to send
        time.sleep(3)
        assert len(list(outbox.iterdir())) == 1
    content = files[0].read_text()
    assert f"To: {agent.email}" in content
    assert "Renouvellement du label" in content
    notification = Notification.objects.get(deadline=deadline)
    assert notification.user == agent and notification.emailed_at is not None
