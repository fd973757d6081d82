"""Permission matrix of a service's registration, sites, perimeter and contract (candidates/views/registration.py)."""

from django.urls import reverse

from candidates.enums import LocalServiceKind
from labelsp.accounts.enums import Role
from tests.accounts.factories import MembershipFactory
from tests.candidates.factories import LocalServiceFactory
from tests.matrix_world import (
    ANONYMOUS,
    CANDIDATE,
    CANDIDATE_OTHER,
    CENTRAL,
    CENTRAL_OTHER,
    DITP,
    LOGIN,
    Case,
    not_found_but,
)


def _commune_of_the_candidate(w):
    """A commune in w.central's network, also staffed by CANDIDATE: perimeters exist only for local authorities."""
    commune = LocalServiceFactory(kind=LocalServiceKind.COMMUNE, parent=w.central)
    MembershipFactory(user=w.users[CANDIDATE], role=Role.CANDIDATE, organisation=commune)
    return commune


# The service's staff change it; its central service and the DITP read it only (403); anyone else: 404.
STAFF_ONLY = {**not_found_but(CANDIDATE), CENTRAL: 403, DITP: 403}

CASES = {
    # Any logged-in person may register a service, even without a membership.
    "candidates:register": Case(url=lambda w: reverse("candidates:register"), expect={ANONYMOUS: LOGIN}),
    "candidates:local_service_detail": Case(
        url=lambda w: reverse("candidates:local_service_detail", args=[w.local.pk]),
        expect=not_found_but(CANDIDATE, CENTRAL, DITP),
    ),
    "candidates:site_add": Case(
        url=lambda w: reverse("candidates:site_add", args=[w.local.pk]), expect=STAFF_ONLY
    ),
    "candidates:site_edit": Case(
        url=lambda w: reverse("candidates:site_edit", args=[w.site.pk]), expect=STAFF_ONLY
    ),
    # The staff's POST retires the secondary site and redirects to the service page (302).
    "candidates:site_deactivate": Case(
        url=lambda w: reverse("candidates:site_deactivate", args=[w.site_secondary.pk]),
        method="post",
        expect={**STAFF_ONLY, CANDIDATE: 302},
    ),
    "candidates:perimeter_edit": Case(
        url=lambda w: reverse("candidates:perimeter_edit", args=[_commune_of_the_candidate(w).pk]),
        expect=STAFF_ONLY,
    ),
    # Through the active membership: candidates (a network's local gets the explanation) and central staff;
    # the other roles have no contract to record.
    "candidates:contract_create": Case(
        url=lambda w: reverse("candidates:contract_create"),
        expect=not_found_but(CANDIDATE, CANDIDATE_OTHER, CENTRAL, CENTRAL_OTHER),
    ),
}
