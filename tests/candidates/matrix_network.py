"""Permission cases of the network pages (candidates/views/network.py) beyond the core ones."""

from django.urls import reverse

from tests.candidates.factories import LocalServiceFactory
from tests.matrix_world import CANDIDATE, CENTRAL, DITP, Case, not_found_but


def _pending_local(w):
    """A service that declared itself of w.central's network, not confirmed yet."""
    return LocalServiceFactory(parent=w.central, parent_confirmed_at=None)


CASES = {
    # Only the network's central staff decide (302 back to the network page); the DITP reads the service
    # but may not decide for the central service (403); the candidate of another local never sees it (404).
    "candidates:network_attachment": Case(
        url=lambda w: reverse("candidates:network_attachment", args=[_pending_local(w).pk]),
        method="post",
        data={"action": "confirm"},
        expect={**not_found_but(CENTRAL, status=302), DITP: 403, CANDIDATE: 404},
    ),
}
