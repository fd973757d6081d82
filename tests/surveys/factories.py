import datetime

import factory
from django.utils import timezone

from surveys.enums import SurveyKind
from surveys.models import Campaign, Questionnaire


class CampaignFactory(factory.django.DjangoModelFactory):
    """A campaign of a local service on the default questionnaire of its kind, open today."""

    class Meta:
        model = Campaign

    local_service = factory.SubFactory("tests.candidates.factories.LocalServiceFactory")
    kind = SurveyKind.USERS
    questionnaire = factory.LazyAttribute(lambda o: Questionnaire.objects.current(o.kind))
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=10))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=20))
    population = 1000
    sampling_method = "Tirage aléatoire parmi les usagers reçus dans les 12 derniers mois."
    created_by = factory.SubFactory("tests.accounts.factories.UserFactory")


def answers_of(response) -> dict:
    """A recorded questionnaire's answers: question code → position 1–4, or None for NSP."""
    codes = response.campaign.questionnaire.questions.order_by("position").values_list("code", flat=True)
    assert len(codes) == len(response.positions)
    return {code: response.position_of(slot) for slot, code in enumerate(codes)}
