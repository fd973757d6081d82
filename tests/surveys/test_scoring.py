"""A campaign of known answers, scored by the database, against the score computed by hand (§3.4)."""

import pytest

from surveys import selectors, services
from surveys.enums import Channel, SurveyKind
from tests.surveys.factories import CampaignFactory

pytestmark = pytest.mark.django_db

USER_CODES = [
    "U1a",
    "U1b",
    "U2a",
    "U2b",
    "U3a",
    "U3b",
    "U4a",
    "U4b",
    "U5a",
    "U5b",
    "U6",
    "U7a",
    "U7b",
    "U8",
    "U9",
]


def _record(campaign, positions, complete=True):
    return services.response_record(
        campaign=campaign, positions=positions, channel=Channel.IMPORT, complete=complete
    )


def test_user_campaign_scored_by_hand():
    campaign = CampaignFactory(kind=SurveyKind.USERS, population=40)
    # A: « tout à fait d'accord » (1 point) everywhere but U1b NSP.
    _record(campaign, {c: 4 for c in USER_CODES} | {"U1b": None})
    # B: « plutôt pas d'accord » (0.25) everywhere.
    _record(campaign, {c: 2 for c in USER_CODES})
    # C: 7 answers out of 15 (47 %): not admissible, must not count.
    _record(campaign, {c: 1 for c in USER_CODES[:7]})
    # D: complete answers but not finished: not admissible.
    _record(campaign, {c: 1 for c in USER_CODES}, complete=False)

    results = selectors.campaign_results(campaign)
    assert (results.received, results.admissible) == (4, 2)
    # By hand: U1a = (1 + 0.25)/2 = 0.625; U1b = 0.25 (A is NSP) → commitment 1 = (62.5 + 25)/2 = 43.75.
    # Every other question = 0.625 → 62.5. Global = (43.75 + 8 × 62.5) / 9.
    assert results.scores.by_question["U1b"] == pytest.approx(25)
    assert results.scores.by_group["1"] == pytest.approx(43.75)
    assert results.scores.by_group["satisfaction"] == pytest.approx(62.5)
    assert results.scores.global_score == pytest.approx((43.75 + 8 * 62.5) / 9)
    # 2 admissible out of 40 solicited: 5 % but far from 50 admissible.
    assert not results.validity.is_valid
    assert results.validity.missing == 48


def test_agent_campaign_scored_by_hand():
    campaign = CampaignFactory(kind=SurveyKind.AGENTS, population=4)
    codes = [f"A{i}" for i in range(1, 12)]
    _record(campaign, {c: 3 for c in codes})  # 0.75 everywhere
    _record(campaign, {c: 1 for c in codes} | {"A11": 4})  # 0, but A11 = 1
    results = selectors.campaign_results(campaign)
    # Each question 0.375, A11 (0.75 + 1)/2 = 0.875 → global = (10 × 37.5 + 87.5) / 11
    assert results.scores.global_score == pytest.approx((10 * 37.5 + 87.5) / 11)
    assert results.validity.is_valid  # 2 of 4 agents: 50 %


def test_a_questionnaire_with_exactly_half_nsp_is_not_admissible():
    campaign = CampaignFactory(kind=SurveyKind.AGENTS)
    codes = [f"A{i}" for i in range(1, 12)]
    response = _record(campaign, {c: (4 if i < 5 else None) for i, c in enumerate(codes)})  # 5 of 11
    assert not response.admissible
    response = _record(campaign, {c: (4 if i < 6 else None) for i, c in enumerate(codes)})  # 6 of 11
    assert response.admissible


def test_out_of_scale_and_unknown_questions_are_refused():
    from django.core.exceptions import ValidationError

    from surveys.models import Response

    campaign = CampaignFactory(kind=SurveyKind.AGENTS)
    with pytest.raises(ValidationError):
        _record(campaign, {"A1": 5})
    with pytest.raises(ValidationError):
        _record(campaign, {"Z9": 1})
    assert not Response.objects.exists()


def test_a_campaign_keeps_its_questionnaire_version():
    from surveys.models import Questionnaire

    campaign = CampaignFactory(kind=SurveyKind.AGENTS)
    newer = Questionnaire.objects.create(
        kind=SurveyKind.AGENTS, number=2, title="v2", published_at=campaign.created_at
    )
    assert Questionnaire.objects.current(SurveyKind.AGENTS) == newer
    campaign.refresh_from_db()
    assert campaign.questionnaire.number == 1
