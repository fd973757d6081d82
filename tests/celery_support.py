"""A real Celery worker process on a real Redis, for the tests that go through the queue end to end."""

import contextlib
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

from labelsp.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def celery_worker(redis_url: str, tmp_path: Path, extra_env: dict | None = None):
    """Run `celery worker` on a queue of its own (its default queue too, so that the tasks it queues come back to
    it), e-mails written to files; yields (queue, outbox folder)."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "labelsp.settings.dev",
        "CELERY_BROKER_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(outbox),
        **(extra_env or {}),
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


# Django's file e-mail backend ends each message with this line: a file without it is still being written.
MESSAGE_END = b"-" * 79 + b"\n"


def wait_for_files(folder: Path, timeout: float = 60, count: int = 1) -> list[Path]:
    """The e-mail files in `folder` once `count` of them are completely written (or whatever is there after
    `timeout` seconds)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        files = sorted(folder.iterdir())
        if len(files) >= count and all(path.read_bytes().endswith(MESSAGE_END) for path in files):
            return files
        time.sleep(0.2)
    return sorted(folder.iterdir())
