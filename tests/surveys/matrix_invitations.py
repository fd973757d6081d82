"""Permission matrix of the personal invitations (surveys/views/invitations.py).

The campaigns and invitations do not exist in the World: each url lambda creates them for w.local (a confirmed
member of w.central's network).
"""

from django.urls import reverse

from surveys.invitations import email_digest
from surveys.models import Invitation
from tests.matrix_world import CANDIDATE, CENTRAL, DITP, Case, not_found_but
from tests.surveys.factories import CampaignFactory


def _invitation_token(w):
    invitation = Invitation.objects.create(
        campaign=CampaignFactory(local_service=w.local), email_digest=email_digest("invite@example.org")
    )
    return invitation.token


CASES = {
    # The counts of a campaign's invitations: its service's staff (who also get the sending form), and read-only
    # for its central service and the DITP, who see the campaign; everyone else gets 404.
    "surveys:invitation_list": Case(
        url=lambda w: reverse("surveys:invitation_list", args=[CampaignFactory(local_service=w.local).pk]),
        expect=not_found_but(CANDIDATE, CENTRAL, DITP),
    ),
    # A personal link to an open campaign's questionnaire: public, 200 for every persona, anonymous included.
    "surveys:invitation_answer": Case(
        url=lambda w: reverse("surveys:invitation_answer", args=[_invitation_token(w)]), expect={}
    ),
}
