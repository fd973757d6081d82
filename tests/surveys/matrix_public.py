"""Permission matrix of the public answer page (surveys/views/public.py).

Both pages are public by design: anyone holding an open campaign's link (or QR code) may answer, logged in or
not, and is thanked afterwards. The campaign is created for each case (it is not in the World).
"""

from django.urls import reverse

from tests.matrix_world import Case
from tests.surveys.factories import CampaignFactory


def _token(w):
    return CampaignFactory(local_service=w.local).public_token


CASES = {
    # The questionnaire of an open campaign: 200 for every persona, anonymous included.
    "surveys:answer": Case(url=lambda w: reverse("surveys:answer", args=[_token(w)]), expect={}),
    "surveys:thanks": Case(url=lambda w: reverse("surveys:thanks", args=[_token(w)]), expect={}),
}
