"""Decisions and labels built directly (the decision service is tested on its own in test_services.py)."""

import factory
from django.utils import timezone

from decisions.enums import DecisionOutcome, Tier
from decisions.models import Decision, Label, label_last_day
from tests.candidates.factories import ApplicationFactory


class DecisionFactory(factory.django.DjangoModelFactory):
    """An award at Argent for a local service's (closed) file, decided today."""

    class Meta:
        model = Decision

    application = factory.SubFactory(ApplicationFactory, status="closed", outcome="labelled")
    local_service = factory.LazyAttribute(lambda o: o.application.local_service)
    central_service = factory.LazyAttribute(lambda o: o.application.central_service)
    certification_body = factory.LazyAttribute(lambda o: o.application.certification_body)
    outcome = DecisionOutcome.AWARD
    tier = Tier.ARGENT
    inputs = factory.LazyFunction(dict)
    decided_by = factory.SubFactory("tests.accounts.factories.UserFactory")
    decided_on = factory.LazyFunction(timezone.localdate)


class LabelFactory(factory.django.DjangoModelFactory):
    """The active label its decision gave: valid three years from the decision date."""

    class Meta:
        model = Label

    decision = factory.SubFactory(DecisionFactory)
    local_service = factory.LazyAttribute(lambda o: o.decision.local_service)
    central_service = factory.LazyAttribute(lambda o: o.decision.central_service)
    certification_body = factory.LazyAttribute(lambda o: o.decision.certification_body)
    tier = factory.LazyAttribute(lambda o: o.decision.tier)
    starts_on = factory.LazyAttribute(lambda o: o.decision.decided_on)
    ends_on = factory.LazyAttribute(lambda o: label_last_day(o.decision.decided_on))
