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


def bulk_labels(template: Label, count: int, *, name: str = "Service") -> list[Label]:
    """`count` more labelled local services like `template`'s (same fields, network, file and body; names
    "<name> 0001"…, tiers in turn), written in bulk: the factories would take minutes for hundreds. Their SIRETs
    are unique but not valid ones (bulk_create checks nothing)."""
    from candidates.models import LocalService

    fields = {
        f.attname: getattr(template.local_service, f.attname) for f in LocalService._meta.concrete_fields
    }
    services = LocalService.objects.bulk_create(
        LocalService(
            **{**fields, "id": None, "name": f"{name} {n:04d}", "siret": f"97{template.pk:04d}{n:08d}"}
        )
        for n in range(1, count + 1)
    )
    today = timezone.localdate()
    tiers = list(Tier)
    decisions = Decision.objects.bulk_create(
        Decision(
            application_id=template.decision.application_id,
            local_service=service,
            certification_body_id=template.certification_body_id,
            outcome=DecisionOutcome.AWARD,
            tier=tiers[n % len(tiers)],
            inputs={},
            decided_by_id=template.decision.decided_by_id,
            decided_on=today,
        )
        for n, service in enumerate(services)
    )
    return Label.objects.bulk_create(
        Label(
            local_service_id=decision.local_service_id,
            certification_body_id=decision.certification_body_id,
            decision=decision,
            tier=decision.tier,
            starts_on=today,
            ends_on=label_last_day(today),
            sort_name=service.name,
        )
        for decision, service in zip(decisions, services, strict=True)
    )
