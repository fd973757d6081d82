"""Demo decisions and labels (issue #6): CAFs labelled at each tier with their signed attestations, one suspended, one
withdrawn, one renewed (its previous cycle's attestation reads "replaced"), one whose perimeter was extended (its
attestation in two versions), and Villeurbanne's refusal under appeal.

The labelled CAFs were audited before the platform kept their audits: their files, decisions and labels are written
directly, with the scores the decision page shows; the attestations, suspension, withdrawal and appeal go through
the services. Idempotent: a service that already has a decision is left as it is.
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.utils import timezone

from candidates.enums import ApplicationKind, ApplicationOutcome, ApplicationStatus, SiteKind
from candidates.models import Application, CentralService, LocalService, ServiceContract, Site
from decisions import rules, services_lifecycle
from decisions.attestations import attestation_issue
from decisions.enums import DecisionOutcome, SuspensionReason, Tier, WithdrawalReason
from decisions.models import Appeal, Decision, Label, label_last_day
from decisions.services import Proposal, decision_propose
from decisions.signing import make_signing_key
from labelsp.accounts.models import User
from labelsp.demo import DemoAccount, SeedCounter
from labelsp.demo import organisations as org
from registry.models import CertificationBody

CERTIQUAL = org.CERTIFICATION_BODIES[0]
# name → (tier, days since the decision, commitment scores 1–8, « Or » criteria, agent survey, user survey)
LABELLED = {
    "CAF des Bouches-du-Rhône": (Tier.OR, 400, (92, 88, 85, 90, 86, 81, 95, 83), 84, 86, 93),
    "CAF de la Haute-Garonne": (Tier.ARGENT, 250, (78, 71, 80, 66, 75, 70, 83, 68), 55, 72, 85),
    "CAF de Loire-Atlantique": (Tier.BRONZE, 120, (61, 55, 70, 52, 64, 58, 66, 50), 40, 58, 74),
    "CAF du Bas-Rhin": (Tier.ARGENT, 700, (75, 69, 72, 81, 67, 70, 74, 66), 60, 70, 82),
    "CAF d’Ille-et-Vilaine": (Tier.BRONZE, 900, (58, 52, 60, 55, 61, 50, 57, 53), 35, 55, 71),
}
SUSPENDED, WITHDRAWN = "CAF du Bas-Rhin", "CAF d’Ille-et-Vilaine"
# Renewed 250 days ago: its first cycle (Bronze) started 3 years earlier, less the 9 months' notice.
RENEWED, RENEWED_PREVIOUS_TIER = "CAF de la Haute-Garonne", Tier.BRONZE
# Extended 60 days ago to a new site: same tier and end date, attestation version 2.
EXTENDED, EXTENSION_SITE, EXTENSION_AGE = "CAF des Bouches-du-Rhône", "Antenne d’Aubagne", 60


def seed(stdout) -> list[DemoAccount]:
    counter = SeedCounter("Décisions")
    body = CertificationBody.objects.get(name=CERTIQUAL.name)
    manager = User.objects.get(email=CERTIQUAL.manager.email)
    _ensure_signing_key(body)
    today = timezone.localdate()
    for name, values in LABELLED.items():
        _labelled(counter, name, values, body, manager, today)
    _refused_under_appeal(counter, manager)
    stdout.write(f"  {counter}")
    return []


def _ensure_signing_key(body) -> None:
    key_dir = settings.SIGNING_KEYS_DIR
    if not (key_dir / f"{body.siret}.key.pem").exists():
        make_signing_key(siret=body.siret, name=body.name)


def _inputs(tier, scores, or_score, agents, users) -> dict:
    commitments = dict(zip(rules.COMMITMENTS, (float(score) for score in scores), strict=True))
    decision = rules.local_tier(commitments=commitments, or_criteria=or_score, agents=agents, users=users)
    assert decision.tier == tier, (tier, decision.tier)  # the demo's figures must support the tier they show
    proposal = Proposal(
        audit=None,
        commitments=commitments,
        or_criteria=float(or_score),
        agents=float(agents),
        users=float(users),
        tier_checks=decision.checks,
        reached=decision.tier,
        outcome=DecisionOutcome.AWARD,
        tier=tier,
    )
    return proposal.as_json()


def _labelled(counter, name, values, body, manager, today):
    service = LocalService.objects.get(name=name)
    existing = Decision.objects.filter(local_service=service).first()
    counter.add(existing is None)
    if existing:
        return
    tier, age, scores, or_score, agents, users = values
    decided_on = today - datetime.timedelta(days=age)
    cnaf = CentralService.objects.get(siret=org.CNAF_SIRET)
    previous = _previous_cycle(service, body, manager, decided_on) if name == RENEWED else None
    application = Application.objects.create(
        local_service=service,
        kind=ApplicationKind.RENEWAL if previous else ApplicationKind.INITIAL,
        status=ApplicationStatus.CLOSED,
        outcome=ApplicationOutcome.LABELLED,
        certification_body=body,
        contract=ServiceContract.objects.filter(central_service=cnaf).first(),
        user_survey_score=users,
        agent_survey_score=agents,
        created_by=manager,
        closed_at=timezone.make_aware(datetime.datetime.combine(decided_on, datetime.time(11))),
    )
    decision = Decision.objects.create(
        application=application,
        local_service=service,
        certification_body=body,
        outcome=DecisionOutcome.AWARD,
        tier=tier,
        inputs=_inputs(tier, scores, or_score, agents, users),
        decided_by=manager,
        decided_on=decided_on,
    )
    label = Label.objects.create(
        local_service=service,
        certification_body=body,
        decision=decision,
        tier=tier,
        starts_on=decided_on,
        ends_on=label_last_day(decided_on),
        renews=previous,
    )
    attestation_issue(label=label, decision=decision)
    if name == EXTENDED:
        _extended(label, manager, today)
    if name == SUSPENDED:
        services_lifecycle.suspension_create(
            user=manager,
            label=label,
            reason=SuspensionReason.AT_REQUEST,
            details="Fusion de deux agences en cours : la caisse demande la suspension le temps de la réorganisation.",
            starts_on=today - datetime.timedelta(days=30),
            ends_on=today + datetime.timedelta(days=150),
        )
    elif name == WITHDRAWN:
        services_lifecycle.withdrawal_create(
            user=manager,
            label=label,
            reason=WithdrawalReason.NO_FOLLOW_UP,
            details="Audit de suivi reporté trois fois puis refusé par la caisse.",
            effective_on=today,
        )
        services_lifecycle.withdrawals_take_effect(today=today)


def _previous_cycle(service, body, manager, renewed_on) -> Label:
    """The first cycle of a renewed label, ended the day before its renewal's decision (§3.10)."""
    decided_on = renewed_on - relativedelta(years=3) + relativedelta(months=9)
    application = Application.objects.create(
        local_service=service,
        kind=ApplicationKind.INITIAL,
        status=ApplicationStatus.CLOSED,
        outcome=ApplicationOutcome.LABELLED,
        certification_body=body,
        created_by=manager,
        closed_at=timezone.make_aware(datetime.datetime.combine(decided_on, datetime.time(11))),
    )
    tier = RENEWED_PREVIOUS_TIER
    decision = Decision.objects.create(
        application=application,
        local_service=service,
        certification_body=body,
        outcome=DecisionOutcome.AWARD,
        tier=tier,
        inputs=_inputs(tier, (60, 58, 62, 55, 57, 54, 61, 52), 30, 52, 72),
        decided_by=manager,
        decided_on=decided_on,
    )
    label = Label.objects.create(
        local_service=service,
        certification_body=body,
        decision=decision,
        tier=tier,
        starts_on=decided_on,
        ends_on=renewed_on - datetime.timedelta(days=1),
    )
    attestation_issue(label=label, decision=decision)
    return label


def _extended(label, manager, today) -> None:
    """An extension of perimeter to a new site, decided EXTENSION_AGE days ago: the label keeps its tier and end
    date; its attestation's version 2 lists the new site and version 1 reads "replaced"."""
    service = label.local_service
    site, _created = Site.objects.get_or_create(
        local_service=service,
        name=EXTENSION_SITE,
        defaults={
            "kind": SiteKind.SECONDARY,
            "street": "8 avenue Jeanne d’Arc",
            "postal_code": "13400",
            "city": "Aubagne",
            "departement": service.departement,
            "agents_in_contact": 6,
        },
    )
    decided_on = today - datetime.timedelta(days=EXTENSION_AGE)
    application = Application.objects.create(
        local_service=service,
        kind=ApplicationKind.EXTENSION,
        status=ApplicationStatus.CLOSED,
        outcome=ApplicationOutcome.LABELLED,
        certification_body=label.certification_body,
        contract=label.decision.application.contract,
        created_by=manager,
        closed_at=timezone.make_aware(datetime.datetime.combine(decided_on, datetime.time(11))),
    )
    application.extension_sites.set([site])
    decision = Decision.objects.create(
        application=application,
        local_service=service,
        certification_body=label.certification_body,
        outcome=DecisionOutcome.EXTENSION,
        tier=label.tier,
        inputs=label.decision.inputs,
        decided_by=manager,
        decided_on=decided_on,
    )
    attestation_issue(label=label, decision=decision)


def _refused_under_appeal(counter, manager):
    """Villeurbanne: refused on its user survey (its audit is in the audits demo), and appealing."""
    application = (
        Application.objects.filter(local_service__name="Mairie de Villeurbanne").order_by("-pk").first()
    )
    existing = Decision.objects.filter(application=application).first()
    counter.add(existing is None)
    if existing or not application.audits.exists():
        return
    proposal = decision_propose(application)
    decision = Decision.objects.create(
        application=application,
        local_service_id=application.local_service_id,
        certification_body_id=application.certification_body_id,
        outcome=DecisionOutcome.REFUSAL,
        inputs=proposal.as_json(),
        motivation="La note globale de l’enquête usagers n’atteint pas le seuil du palier Bronze (70/100).",
        decided_by=manager,
        decided_on=application.refusal_notified_on,
    )
    Appeal.objects.create(
        decision=decision,
        grounds="L’échantillon de l’enquête usagers a exclu par erreur les usagers de la mairie annexe ; nous "
        "demandons que l’enquête complémentaire menée depuis soit prise en compte.",
        filed_by=User.objects.get(email=org.COMMUNE_CANDIDATE.email),
    )
