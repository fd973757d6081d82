"""How questionnaires are stored: `positions`, the generated `answered` / `admissible`, and the references that
the database keeps without foreign-key constraints (issue #4, import performance)."""

import pytest
from django.db import IntegrityError, connection, transaction

from surveys import rules
from surveys.enums import Channel, SurveyKind
from surveys.models import AnswerImport, Response
from tests.accounts.factories import UserFactory
from tests.surveys.factories import CampaignFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("kind", "questions"), [(SurveyKind.USERS, 15), (SurveyKind.AGENTS, 11)])
def test_the_database_decides_admissibility_as_the_rule_does(kind, questions):
    """Every number of answered questions, complete or not: the generated column agrees with
    `rules.is_admissible` (7 / 8 of 15 and 5 / 6 of 11 are the boundaries)."""
    campaign = CampaignFactory(kind=kind)
    for complete in (True, False):
        for answered in range(questions + 1):
            response = Response.objects.create(
                campaign=campaign,
                channel=Channel.PAPER,
                complete=complete,
                positions="3" * answered + "0" * (questions - answered),
            )
            response.refresh_from_db()
            assert response.answered == answered
            expected = rules.is_admissible(complete=complete, answered=answered, question_count=questions)
            assert response.admissible is expected, (complete, answered)
    assert Response.objects.filter(campaign=campaign, admissible=True).count() == {15: 8, 11: 6}[questions]


def _raw(sql, params):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_a_campaign_with_questionnaires_cannot_be_deleted_even_in_sql():
    campaign = CampaignFactory()
    empty = CampaignFactory()
    Response.objects.create(campaign=campaign, channel=Channel.PUBLIC_LINK, positions="4" * 15)
    with pytest.raises(IntegrityError):
        _raw("DELETE FROM surveys_campaign WHERE id = %s", [campaign.pk])
    # The trigger only guards campaigns with questionnaires (the invitations' real FK guards the rest).
    _raw("DELETE FROM surveys_campaign WHERE id = %s", [empty.pk])
    assert Response.objects.filter(campaign=campaign).count() == 1


def test_an_import_is_never_deleted_and_a_person_who_keyed_in_answers_stays():
    campaign = CampaignFactory()
    clerk, other = UserFactory(), UserFactory()
    batch = AnswerImport.objects.create(
        campaign=campaign, imported_by=other, file_name="r.csv", sha256="0" * 64
    )
    Response.objects.create(campaign=campaign, channel=Channel.PAPER, positions="4" * 15, entered_by=clerk)
    with pytest.raises(IntegrityError):
        _raw("DELETE FROM surveys_answerimport WHERE id = %s", [batch.pk])
    with pytest.raises(IntegrityError):
        _raw("DELETE FROM accounts_user WHERE id = %s", [clerk.pk])
    assert AnswerImport.objects.filter(pk=batch.pk).exists()
