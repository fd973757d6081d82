"""Benchmark of the tablet's grades (issue #5, « Performance »): the time to save a grade, one per request and in a
batch of 200 queued offline, against a trivial authenticated POST view served by the same stack in the same run.

Requests go through Django's full middleware stack (sessions, authentication, memberships, CSRF, CSP) with the
test client, in process; the trivial view only answers "ok". Called by scripts/bench_survey_import.py (`make bench`).
"""

import time
import uuid

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_POST


@require_POST
@login_required
def _trivial(request):
    return HttpResponse("ok")


urlpatterns = [path("bench/ok/", _trivial), path("", include("labelsp.urls"))]


def _world():
    from tests.audits.factories import AssignmentFactory, AuditFactory

    audit = AuditFactory(planned=True)
    auditor = AssignmentFactory(audit=audit).auditor
    return audit, auditor, list(audit.grid.checkpoints.order_by("position").values_list("pk", flat=True))


def _ops(checkpoints, count, start):
    points = ("0", "0.25", "0.75", "1")
    return [
        {
            "op": str(uuid.uuid4()),
            "checkpoint": checkpoints[(start + i) % len(checkpoints)],
            "points": points[(start + i) % 4],
            "base_version": 0,
        }
        for i in range(count)
    ]


def measure(repeat: int, requests: int = 200, batches: int = 10) -> list[tuple]:
    """Rows for the benchmark table: (figure, seconds, baseline label, baseline seconds, goal or None)."""
    import json

    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"]):
        audit, auditor, checkpoints = _world()
        client = Client()
        client.force_login(auditor)
        url = reverse("audits:grade_batch", args=[audit.pk])

        def post_grades(count, start):
            body = json.dumps({"device": "bench", "ops": _ops(checkpoints, count, start)})
            response = client.post(url, body, content_type="application/json")
            assert response.status_code == 200, response.content
            return response

        post_grades(1, 0)  # the first grade starts the audit (one transition, not measured)
        trivial, single, batch = [], [], []
        for _ in range(repeat):
            started = time.perf_counter()
            for _ in range(requests):
                assert client.post("/bench/ok/").status_code == 200
            trivial.append((time.perf_counter() - started) / requests)

            started = time.perf_counter()
            for i in range(requests):
                post_grades(1, i)
            single.append((time.perf_counter() - started) / requests)

            started = time.perf_counter()
            for i in range(batches):
                post_grades(200, i)
            batch.append((time.perf_counter() - started) / batches)
    baseline = min(trivial)
    per_batch = min(batch)
    return [
        ("Grade saved, one per request", min(single), "trivial authenticated POST", baseline, None),
        ("Grade saved, in a batch of 200", per_batch / 200, "trivial authenticated POST", baseline, None),
        ("Batch of 200 grades, 1 request", per_batch, "trivial authenticated POST", baseline, None),
    ]
