"""Permission matrix of the eligibility pages (candidates/views/eligibility.py)."""

from django.urls import reverse

from tests.matrix_world import ANONYMOUS, CANDIDATE, CENTRAL, DITP, LOGIN, Case, not_found_but

CASES = {
    # The published eligibility list: public, by design.
    "candidates:eligibility_list": Case(url=lambda w: reverse("candidates:eligibility_list"), expect={}),
    # Everyone logged in has a list (possibly empty) and may file a request.
    "candidates:eligibility_requests": Case(
        url=lambda w: reverse("candidates:eligibility_requests"), expect={ANONYMOUS: LOGIN}
    ),
    "candidates:eligibility_create": Case(
        url=lambda w: reverse("candidates:eligibility_create"), expect={ANONYMOUS: LOGIN}
    ),
    # w.eligibility_request: filed by CANDIDATE through w.central, awaiting the central service.
    "candidates:eligibility_detail": Case(
        url=lambda w: reverse("candidates:eligibility_detail", args=[w.eligibility_request.pk]),
        expect=not_found_but(CANDIDATE, CENTRAL, DITP),
    ),
    # CENTRAL forwards it (302); the requester and the DITP see it but may not forward it (403).
    "candidates:eligibility_forward": Case(
        url=lambda w: reverse("candidates:eligibility_forward", args=[w.eligibility_request.pk]),
        method="post",
        expect={**not_found_but(CANDIDATE, CENTRAL, DITP, status=403), CENTRAL: 302},
    ),
    # CENTRAL declines it with a reason (302); declining is the central service's: the requester and the
    # DITP get 403.
    "candidates:eligibility_decide": Case(
        url=lambda w: reverse("candidates:eligibility_decide", args=[w.eligibility_request.pk]),
        method="post",
        data={"action": "decline", "reason": "Ce service ne relève pas de notre réseau."},
        expect={**not_found_but(CANDIDATE, CENTRAL, DITP, status=403), CENTRAL: 302},
    ),
}
