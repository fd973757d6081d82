"""Permission matrix of a campaign's results report (surveys/views/report.py).

The campaign does not exist in the World: the url lambda creates one for w.local (a confirmed member of
w.central's network). The report only reads the campaign: whoever sees it (the service's staff, its central
service, the DITP) downloads it; everyone else gets 404.
"""

from django.urls import reverse

from tests.matrix_world import CANDIDATE, CENTRAL, DITP, Case, not_found_but
from tests.surveys.factories import CampaignFactory

CASES = {
    "surveys:results_report": Case(
        url=lambda w: reverse("surveys:results_report", args=[CampaignFactory(local_service=w.local).pk]),
        expect=not_found_but(CANDIDATE, CENTRAL, DITP),
    ),
}
