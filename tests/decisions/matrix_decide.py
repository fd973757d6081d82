"""Permission matrix of the decision page (decisions/views/decide.py)."""

from django.urls import reverse

from tests.decisions.factories import DecisionFactory
from tests.matrix_world import AUDITOR, CANDIDATE, CB_MANAGER, CENTRAL, DITP, Case, not_found_but

CASES = {
    # The body's manager prepares the decision on w.application (here it explains why it cannot be taken yet);
    # those who see the file (its auditor, the candidate, its central service, the DITP) may not decide (403).
    "decisions:decision_prepare": Case(
        url=lambda w: reverse("decisions:decision_prepare", args=[w.application.pk]),
        expect={**not_found_but(AUDITOR, CANDIDATE, CENTRAL, DITP, status=403), CB_MANAGER: 200},
    ),
    # An issued decision: the body, the service, its central service and the DITP read it.
    "decisions:decision_detail": Case(
        url=lambda w: reverse(
            "decisions:decision_detail", args=[DecisionFactory(application=w.application).pk]
        ),
        expect=not_found_but(AUDITOR, CB_MANAGER, CANDIDATE, CENTRAL, DITP),
    ),
}
