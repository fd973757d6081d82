"""A real Celery worker on a real Redis delivers the e-mails queued by the web process."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.urls import reverse

from labelsp.celery import app as celery_app
from tests.accounts.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.redis, pytest.mark.celery_worker]

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.fail("REDIS_URL is not set: run the suite with `make test`, which starts a throwaway Redis.")
    return url


@pytest.fixture
def worker(redis_url, tmp_path):
    """Start `celery worker` on a queue of its own; yields (queue, outbox folder)."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "labelsp.settings.dev",
        "CELERY_BROKER_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(outbox),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "labelsp", "worker", "--pool=solo", "-Q", queue, "-l", "warning",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    previous = (
        celery_app.conf.task_always_eager,
        celery_app.conf.task_default_queue,
        celery_app.conf.broker_url,
    )
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = queue
    celery_app.conf.broker_url = redis_url
    try:
        yield queue, outbox
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.task_default_queue, celery_app.conf.broker_url = (
            previous
        )
        process.terminate()
        try:
            output, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        print(output.decode(errors="replace"))


def _wait_for_files(folder: Path, timeout: float = 60) -> list[Path]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        files = sorted(folder.iterdir())
        if files:
            return files
        time.sleep(0.2)
    return []


def test_password_reset_email_is_delivered_by_a_real_worker(client, worker, mailoutbox):
    _queue, outbox = worker
    user = UserFactory(email="camille.martin@exemple.gouv.fr")
    response = client.post(reverse("account_reset_password"), {"email": user.email})
    assert response.status_code == 302
    # Nothing was sent in the web process: the message went to the queue.
    assert mailoutbox == []

    files = _wait_for_files(outbox)
    assert len(files) == 1, "the worker did not deliver the e-mail within 60 s"
    content = files[0].read_text()
    assert "To: camille.martin@exemple.gouv.fr" in content
    assert "/compte/password/reset/key/" in content
