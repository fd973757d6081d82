"""A real Celery worker on a real Redis delivers the e-mails queued by the web process."""

import os

import pytest
from django.urls import reverse

from tests.accounts.factories import UserFactory
from tests.celery_support import celery_worker, wait_for_files

pytestmark = [pytest.mark.django_db, pytest.mark.redis, pytest.mark.celery_worker]


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.fail("REDIS_URL is not set: run the suite with `make test`, which starts a throwaway Redis.")
    return url


@pytest.fixture
def worker(redis_url, tmp_path):
    """Start `celery worker` on a queue of its own; yields (queue, outbox folder)."""
    with celery_worker(redis_url, tmp_path) as started:
        yield started


def test_password_reset_email_is_delivered_by_a_real_worker(client, worker, mailoutbox):
    _queue, outbox = worker
    user = UserFactory(email="camille.martin@exemple.gouv.fr")
    response = client.post(reverse("account_reset_password"), {"email": user.email})
    assert response.status_code == 302
    # Nothing was sent in the web process: the message went to the queue.
    assert mailoutbox == []

    files = wait_for_files(outbox)
    assert len(files) == 1, "the worker did not deliver the e-mail within 60 s"
    content = files[0].read_text()
    assert "To: camille.martin@exemple.gouv.fr" in content
    assert "/compte/password/reset/key/" in content
