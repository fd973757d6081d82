"""A central service's decision (§2.2.2, §3.9.2): its sampled locals, its own audit, the network's reports."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from audits.enums import AuditStatus, DrawKind
from audits.models import SamplingDraw
from candidates.enums import ApplicationKind, ApplicationStatus
from decisions import services
from decisions.enums import DecisionOutcome, Tier
from decisions.models import Label
from labelsp.accounts.enums import Role
from tests.accounts.factories import MembershipFactory
from tests.audits.factories import AuditFactory, grade_all
from tests.candidates.factories import (
    ApplicationFactory,
    CentralServiceFactory,
    LocalServiceFactory,
    ServiceContractFactory,
)
from tests.decisions.factories import DecisionFactory, LabelFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def _network(local_tiers, *, validated=10, decided=None, kind=ApplicationKind.INITIAL):
    central = CentralServiceFactory()
    contract = ServiceContractFactory(central_service=central, local_service=None)
    application = ApplicationFactory(
        contract=contract,
        local_service=None,
        central_service=central,
        status=ApplicationStatus.ACKNOWLEDGED,
        kind=kind,
    )
    audit = AuditFactory(
        application=application, reported=True, status=AuditStatus.CLOSED, visit_start=TODAY, visit_end=TODAY
    )
    codes = list(audit.grid.checkpoints.order_by("position").values_list("code", flat=True))
    assert len(codes) == 10
    grade_all(audit, {code: (1.0 if i < validated else 0.0) for i, code in enumerate(codes)})
    locals_ = [LocalServiceFactory(parent=central) for _ in local_tiers]
    SamplingDraw.objects.create(
        audit=audit,
        kind=DrawKind.LOCALS,
        seed="s",
        population=[[str(local.pk), local.name] for local in locals_],
        size=len(locals_),
        selected=[str(local.pk) for local in locals_],
        drawn_by=audit.created_by,
    )
    for local, tier in list(zip(locals_, local_tiers, strict=True))[
        : decided if decided is not None else None
    ]:
        local_application = ApplicationFactory(
            contract=contract,
            local_service=local,
            central_application=application,
            status=ApplicationStatus.CLOSED,
            outcome="labelled" if tier else "refused",
        )
        DecisionFactory(
            application=local_application,
            outcome=DecisionOutcome.AWARD if tier else DecisionOutcome.REFUSAL,
            tier=tier or "",
            motivation="" if tier else "Enquête usagers sous le seuil.",
        )
    manager = MembershipFactory(role=Role.CB_MANAGER, organisation=application.certification_body).user
    return application, manager


def test_the_central_service_gets_the_majority_tier_of_its_labelled_locals():
    application, _manager = _network([Tier.ARGENT, Tier.ARGENT, Tier.OR], validated=8)
    proposal = services.decision_propose(application, network_attested=True)
    assert (proposal.outcome, proposal.tier) == (DecisionOutcome.AWARD, Tier.ARGENT)
    assert proposal.central_share == 0.8
    assert [local["tier"] for local in proposal.network] == ["argent", "argent", "or"]


@pytest.mark.parametrize(
    ("tiers", "validated", "attested"),
    [
        ([Tier.ARGENT, Tier.ARGENT, None], 10, True),  # 2 of 3 labelled: below ⌈75 %⌉ = 3
        ([Tier.ARGENT, Tier.ARGENT, Tier.OR], 7, True),  # central audit at 70 %
        ([Tier.ARGENT, Tier.ARGENT, Tier.OR], 10, False),  # the network's self-assessments not attested
    ],
)
def test_the_central_service_is_refused_when_a_condition_fails(tiers, validated, attested):
    application, _manager = _network(tiers, validated=validated)
    proposal = services.decision_propose(application, network_attested=attested)
    assert proposal.outcome == DecisionOutcome.REFUSAL
    assert [check.passes for check in proposal.central_checks].count(False) == 1


def test_four_audited_locals_need_three_labelled():
    application, _manager = _network([Tier.OR, Tier.OR, Tier.BRONZE, None])
    proposal = services.decision_propose(application, network_attested=True)
    assert (proposal.outcome, proposal.tier) == (DecisionOutcome.AWARD, Tier.OR)


def test_the_central_decision_waits_for_every_sampled_locals_decision():
    application, manager = _network([Tier.OR, Tier.OR, Tier.OR], decided=2)
    proposal = services.decision_propose(application, network_attested=True)
    assert proposal.problems and "En attente" in proposal.problems[0]
    refusal_motivation = "Réseau incomplet."
    with pytest.raises(ValidationError, match="Décidez d’abord"):
        services.decision_issue(
            user=manager, application=application, motivation=refusal_motivation, network_attested=True
        )


def _central_label(application, tier):
    """The label the central service holds from year N."""
    return LabelFactory(
        decision__application__central_service=application.central_service,
        decision__application__local_service=None,
        decision__application__contract=application.contract,
        decision__tier=tier,
        decision__decided_on=TODAY - datetime.timedelta(days=365),
    )


@pytest.mark.parametrize(
    ("held", "tiers", "outcome", "tier"),
    [
        # Year N+1's majority against year N's tier.
        (Tier.ARGENT, [Tier.ARGENT, Tier.ARGENT, Tier.OR], DecisionOutcome.CONFIRM, Tier.ARGENT),
        (Tier.ARGENT, [Tier.OR, Tier.OR, Tier.ARGENT], DecisionOutcome.UPGRADE, Tier.OR),
        (Tier.OR, [Tier.ARGENT, Tier.ARGENT, Tier.OR], DecisionOutcome.ACTION_PLAN, ""),
        # A tie between Or and Argent is Argent, below the Or held.
        (Tier.OR, [Tier.OR, Tier.OR, Tier.ARGENT, Tier.ARGENT], DecisionOutcome.ACTION_PLAN, ""),
    ],
)
def test_a_central_follow_up_compares_the_majority_of_year_n_plus_1_with_the_tier_held(
    held, tiers, outcome, tier
):
    application, _manager = _network(tiers, kind=ApplicationKind.FOLLOW_UP)
    _central_label(application, held)
    proposal = services.decision_propose(application, network_attested=True)
    assert (proposal.outcome, proposal.tier) == (outcome, tier)


def test_a_central_follow_up_with_too_few_labelled_locals_asks_for_more_locals():
    """2 of 3 labelled is below ⌈75 %⌉ = 3: more locals to present, one more labelled at least (§3.9.2)."""
    application, manager = _network([Tier.OR, Tier.OR, None], kind=ApplicationKind.FOLLOW_UP)
    held = _central_label(application, Tier.OR)
    proposal = services.decision_propose(application, network_attested=True)
    assert proposal.outcome == DecisionOutcome.MORE_LOCALS
    assert proposal.locals_missing == 1
    decision = services.decision_issue(user=manager, application=application, network_attested=True)
    assert decision.outcome == DecisionOutcome.MORE_LOCALS and decision.tier == ""
    assert decision.inputs["locals_missing"] == 1
    label = Label.objects.get(pk=held.pk)
    assert (label.tier, label.status, label.ends_on) == (held.tier, held.status, held.ends_on)


def test_a_central_follow_up_with_enough_locals_but_a_failed_central_audit_asks_for_an_action_plan():
    application, _manager = _network([Tier.OR, Tier.OR, Tier.OR], validated=7, kind=ApplicationKind.FOLLOW_UP)
    _central_label(application, Tier.OR)
    proposal = services.decision_propose(application, network_attested=True)
    assert proposal.outcome == DecisionOutcome.ACTION_PLAN
    assert proposal.locals_missing == 0
