"""Permission matrix of the certification body's side of the application file (candidates/views/review.py)."""

from django.urls import reverse

from candidates.enums import ApplicationStatus
from candidates.models import Application
from tests.matrix_world import (
    AUDITOR,
    AUDITOR_OTHER,
    CANDIDATE,
    CB_MANAGER,
    CB_MANAGER_OTHER,
    CENTRAL,
    DITP,
    Case,
    not_found_but,
)


def _close_url(w):
    # Only an acknowledged file may be closed: move w.application there so that the manager's answer is a 302.
    Application.objects.filter(pk=w.application.pk).update(status=ApplicationStatus.ACKNOWLEDGED)
    return reverse("candidates:application_close", args=[w.application.pk])


CASES = {
    # Every member of a body has an inbox (its own body's files); the other roles have none.
    "candidates:review_inbox": Case(
        url=lambda w: reverse("candidates:review_inbox"),
        expect=not_found_but(AUDITOR, AUDITOR_OTHER, CB_MANAGER, CB_MANAGER_OTHER),
    ),
    # w.application (complements requested, body w.body): the body's members read it; the candidate, its central
    # service and the DITP see the file elsewhere but may not review it (403); the other body does not see it.
    "candidates:application_review": Case(
        url=lambda w: reverse("candidates:application_review", args=[w.application.pk]),
        expect={**not_found_but(CANDIDATE, CENTRAL, DITP, status=403), AUDITOR: 200, CB_MANAGER: 200},
    ),
    # The manager closes the acknowledged file (302: outcome "audited" needs no date); the auditor, the candidate,
    # its central service and the DITP may not (403).
    "candidates:application_close": Case(
        url=_close_url,
        method="post",
        data={"outcome": "audited"},
        expect={**not_found_but(CANDIDATE, CENTRAL, DITP, AUDITOR, status=403), CB_MANAGER: 302},
    ),
}
