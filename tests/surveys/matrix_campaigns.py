"""Permission matrix of a service's survey campaigns (surveys/views/campaigns.py).

The campaigns do not exist in the World: each url lambda creates one for w.local (a confirmed member of
w.central's network). The candidate's staff manage it; the central service and the DITP read it (403 on
changes); everyone else gets 404.
"""

from django.urls import reverse

from tests.matrix_world import (
    CANDIDATE,
    CANDIDATE_OTHER,
    CENTRAL,
    CENTRAL_OTHER,
    DITP,
    Case,
    not_found_but,
)
from tests.surveys.factories import CampaignFactory

# Those who read the campaign but may not change it.
READ_ONLY = {CENTRAL: 403, DITP: 403}


def _url(name):
    return lambda w: reverse(name, args=[CampaignFactory(local_service=w.local).pk])


CASES = {
    # The campaigns of the service the user acts for (candidate staff) or of its network (central staff).
    "surveys:campaign_list": Case(
        url=lambda w: reverse("surveys:campaign_list"),
        expect=not_found_but(CANDIDATE, CANDIDATE_OTHER, CENTRAL, CENTRAL_OTHER),
    ),
    # Only candidate staff create a campaign, for their own service.
    "surveys:campaign_create": Case(
        url=lambda w: reverse("surveys:campaign_create"),
        expect=not_found_but(CANDIDATE, CANDIDATE_OTHER),
    ),
    "surveys:campaign_detail": Case(
        url=_url("surveys:campaign_detail"), expect=not_found_but(CANDIDATE, CENTRAL, DITP)
    ),
    # The running campaign is closed and the staff member sent back to it (302).
    "surveys:campaign_close": Case(
        url=_url("surveys:campaign_close"),
        method="post",
        expect={**not_found_but(CANDIDATE, status=302), **READ_ONLY},
    ),
    # No file sent: the staff member gets the dashboard again with « Choisissez le fichier à importer. » (200).
    "surveys:campaign_import": Case(
        url=_url("surveys:campaign_import"),
        method="post",
        expect={**not_found_but(CANDIDATE), **READ_ONLY},
    ),
    "surveys:paper_entry": Case(
        url=_url("surveys:paper_entry"),
        expect={**not_found_but(CANDIDATE), **READ_ONLY},
    ),
    # The poster only reads the campaign: whoever sees it may print it.
    "surveys:poster": Case(url=_url("surveys:poster"), expect=not_found_but(CANDIDATE, CENTRAL, DITP)),
}
