"""Issuing a decision on a local service's file (issue #6): proposal from every input, effects, separation of
duties."""

import datetime

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError

from audits.enums import AuditStatus
from candidates.enums import ApplicationKind, ApplicationOutcome, ApplicationStatus
from decisions import services
from decisions.enums import DecisionOutcome, Tier
from decisions.models import ActionPlanRequest, Decision, Label
from decisions.signing import make_signing_key
from labelsp.accounts.enums import Role
from tests.accounts.factories import MembershipFactory
from tests.audits.factories import AssignmentFactory, AuditFactory, grade_all
from tests.candidates.factories import ApplicationFactory
from tests.decisions.factories import LabelFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def _decidable(points=1.0, *, users=95, agents=85, kind=ApplicationKind.INITIAL, **application_fields):
    application = ApplicationFactory(
        complete=True,
        status=ApplicationStatus.ACKNOWLEDGED,
        kind=kind,
        user_survey_score=users,
        agent_survey_score=agents,
        **application_fields,
    )
    audit = AuditFactory(
        application=application, reported=True, status=AuditStatus.CLOSED, visit_start=TODAY, visit_end=TODAY
    )
    grade_all(audit, points)
    AssignmentFactory(audit=audit)
    manager = MembershipFactory(role=Role.CB_MANAGER, organisation=application.certification_body).user
    body = application.certification_body
    make_signing_key(siret=body.siret, name=body.name)  # the body signs its attestations
    return application, manager


def test_every_condition_met_awards_or_with_a_three_year_label(django_capture_on_commit_callbacks):
    application, manager = _decidable()
    proposal = services.decision_propose(application)
    assert (proposal.outcome, proposal.tier) == (DecisionOutcome.AWARD, Tier.OR)
    assert all(check.passes for check in proposal.freshness)
    decision = services.decision_issue(user=manager, application=application)
    assert (decision.outcome, decision.tier, decision.decided_on) == ("award", "or", TODAY)
    assert decision.inputs["commitments"]["4"] == 100.0 and decision.inputs["user_survey"] == 95.0
    label = Label.objects.get(decision=decision)
    assert (label.tier, label.starts_on) == ("or", TODAY)
    assert label.ends_on.year == TODAY.year + 3
    assert label.attestations.count() == 1
    application.refresh_from_db()
    assert (application.status, application.outcome) == (
        ApplicationStatus.CLOSED,
        ApplicationOutcome.LABELLED,
    )


@pytest.mark.parametrize(("users", "tier"), [(89.99, Tier.ARGENT), (79.99, Tier.BRONZE)])
def test_the_user_survey_sets_the_tier(users, tier):
    application, _manager = _decidable(users=users)
    assert services.decision_propose(application).tier == tier


def test_a_refusal_needs_its_motivation_and_blocks_a_new_application():
    application, manager = _decidable(users=69.99)
    assert services.decision_propose(application).outcome == DecisionOutcome.REFUSAL
    with pytest.raises(ValidationError) as error:
        services.decision_issue(user=manager, application=application)
    assert "motivation" in error.value.message_dict
    assert not Decision.objects.exists()
    decision = services.decision_issue(
        user=manager, application=application, motivation="Enquête usagers à 69,99 : sous le seuil de 70."
    )
    assert decision.outcome == DecisionOutcome.REFUSAL and decision.tier == ""
    assert not Label.objects.exists()
    application.refresh_from_db()
    assert application.outcome == ApplicationOutcome.REFUSED and application.refusal_notified_on == TODAY


def test_surveys_older_than_six_months_at_the_audit_support_no_tier():
    application, _manager = _decidable(user_survey_closed_on=TODAY - datetime.timedelta(days=200))
    proposal = services.decision_propose(application)
    assert proposal.outcome == DecisionOutcome.REFUSAL
    assert [check.passes for check in proposal.freshness] == [True, False, True]


def test_nobody_decides_on_an_audit_they_took_part_in():
    application, _manager = _decidable()
    audit = application.audits.get()
    auditor = audit.assignments.get().auditor
    # The auditor is also a manager of the body: the second role does not lift the conflict.
    MembershipFactory(user=auditor, role=Role.CB_MANAGER, organisation=application.certification_body)
    with pytest.raises(ValidationError, match="participé"):
        services.decision_issue(user=auditor, application=application)
    assert not Decision.objects.exists()


def test_only_the_bodys_managers_decide():
    application, _manager = _decidable()
    other = MembershipFactory(role=Role.CB_MANAGER).user
    with pytest.raises(PermissionDenied):
        services.decision_issue(user=other, application=application)


def test_no_decision_before_the_audit_file_is_passed_on():
    application, manager = _decidable()
    application.audits.update(status=AuditStatus.REPORT_SENT)
    with pytest.raises(ValidationError, match="transmis pour décision"):
        services.decision_issue(user=manager, application=application)


def _held(application, tier):
    return LabelFactory(
        decision__application__local_service=application.local_service,
        decision__application__contract=application.contract,
        decision__tier=tier,
        decision__decided_on=TODAY - datetime.timedelta(days=540),
    )


def test_a_follow_up_above_the_tier_held_upgrades_without_extending_validity():
    application, manager = _decidable(kind=ApplicationKind.FOLLOW_UP)
    held = _held(application, Tier.ARGENT)
    decision = services.decision_issue(user=manager, application=application)
    assert (decision.outcome, decision.tier) == (DecisionOutcome.UPGRADE, Tier.OR)
    label = Label.objects.get(pk=held.pk)
    assert label.tier == Tier.OR and label.ends_on == held.ends_on
    assert label.attestations.count() == 1


def test_a_follow_up_below_the_tier_held_requires_an_action_plan_within_a_month():
    application, manager = _decidable(0.75, users=85, agents=70, kind=ApplicationKind.FOLLOW_UP)
    held = _held(application, Tier.OR)
    decision = services.decision_issue(user=manager, application=application)
    assert decision.outcome == DecisionOutcome.ACTION_PLAN and decision.tier == ""
    request = ActionPlanRequest.objects.get(decision=decision)
    assert request.label == held
    assert request.due_on == TODAY + relativedelta(months=1)
    assert Label.objects.get(pk=held.pk).tier == Tier.OR


def test_a_follow_up_at_the_same_tier_confirms_it():
    application, manager = _decidable(kind=ApplicationKind.FOLLOW_UP)
    _held(application, Tier.OR)
    decision = services.decision_issue(user=manager, application=application)
    assert (decision.outcome, decision.tier) == (DecisionOutcome.CONFIRM, Tier.OR)


def test_a_correction_is_a_new_decision_on_the_same_file():
    application, manager = _decidable(users=69.99)
    refusal = services.decision_issue(user=manager, application=application, motivation="Sous le seuil.")
    with pytest.raises(ValidationError, match="déjà sa décision"):
        services.decision_issue(user=manager, application=application)
    application.refresh_from_db()
    correction = services.decision_issue(
        user=manager, application=application, replaces=refusal, motivation="Recalcul de l’enquête."
    )
    assert correction.replaces == refusal
    with pytest.raises(ValidationError, match="déjà été corrigée"):
        services.decision_issue(user=manager, application=application, replaces=refusal, motivation="Encore")


# --- Extension of perimeter (§3.10) -------------------------------------------------------------------------------


def test_an_extension_reaching_the_tier_held_keeps_tier_and_end_date_and_issues_a_new_attestation_version():
    from decisions.attestations import AttestationStatus, attestation_issue, attestation_status
    from tests.candidates.factories import SiteFactory

    application, manager = _decidable(kind=ApplicationKind.EXTENSION)
    held = _held(application, Tier.ARGENT)
    first = attestation_issue(label=held, decision=held.decision)
    added = SiteFactory(local_service=application.local_service, name="Nouvelle antenne de Bron")
    application.extension_sites.set([added])
    decision = services.decision_issue(user=manager, application=application)
    # The added perimeter reaches Or, above the Argent held: the extension keeps Argent (no upgrade by extension).
    assert (decision.outcome, decision.tier) == (DecisionOutcome.EXTENSION, Tier.ARGENT)
    label = Label.objects.get(pk=held.pk)
    assert (label.tier, label.starts_on, label.ends_on) == (Tier.ARGENT, held.starts_on, held.ends_on)
    assert Label.objects.count() == 1
    second = label.attestations.get(version=2)
    assert attestation_status(first) == AttestationStatus.REPLACED
    assert attestation_status(second) == AttestationStatus.VALID
    from tests.decisions.test_attestations import _stored, _text

    assert "Nouvelle antenne de Bron" in _text(_stored(second))
    application.refresh_from_db()
    assert application.outcome == ApplicationOutcome.LABELLED


def test_an_extension_below_the_tier_held_is_refused_with_a_motivation_and_the_label_is_unchanged():
    application, manager = _decidable(0.75, users=85, agents=70, kind=ApplicationKind.EXTENSION)
    held = _held(application, Tier.OR)
    assert services.decision_propose(application).outcome == DecisionOutcome.EXTENSION_REFUSAL
    with pytest.raises(ValidationError) as error:
        services.decision_issue(user=manager, application=application)
    assert "motivation" in error.value.message_dict
    decision = services.decision_issue(
        user=manager, application=application, motivation="Le nouveau site n’atteint pas le palier Or."
    )
    assert (decision.outcome, decision.tier) == (DecisionOutcome.EXTENSION_REFUSAL, "")
    label = Label.objects.get(pk=held.pk)
    assert (label.tier, label.ends_on) == (Tier.OR, held.ends_on)
    assert not label.attestations.exists()
    application.refresh_from_db()
    # Refusing an extension is not refusing the label: no 6-month wait.
    assert application.outcome == ApplicationOutcome.AUDITED and application.refusal_notified_on is None
    from candidates.services import last_refusal_date

    assert last_refusal_date(application.local_service) is None


def test_an_extension_needs_a_label_in_force():
    application, _manager = _decidable(kind=ApplicationKind.EXTENSION)
    proposal = services.decision_propose(application)
    assert proposal.problems and "label en cours de validité" in proposal.problems[0]


# --- Renewal (§3.10) ----------------------------------------------------------------------------------------------


def test_a_renewal_starts_a_new_cycle_from_its_decision_and_ends_the_previous_label_the_day_before():
    from decisions.attestations import AttestationStatus, attestation_issue, attestation_status

    application, manager = _decidable(kind=ApplicationKind.RENEWAL)
    previous = LabelFactory(
        decision__application__local_service=application.local_service,
        decision__application__contract=application.contract,
        decision__tier=Tier.BRONZE,
        decision__decided_on=TODAY - relativedelta(years=3) + relativedelta(months=6),
    )
    old_attestation = attestation_issue(label=previous, decision=previous.decision)
    assert attestation_status(old_attestation) == AttestationStatus.VALID
    decision = services.decision_issue(user=manager, application=application)
    assert (decision.outcome, decision.tier) == (DecisionOutcome.AWARD, Tier.OR)
    renewed = Label.objects.get(decision=decision)
    assert renewed.renews == Label.objects.get(pk=previous.pk)
    assert (renewed.starts_on, renewed.ends_on) == (
        TODAY,
        TODAY + relativedelta(years=3) - datetime.timedelta(days=1),
    )
    previous.refresh_from_db()
    assert previous.ends_on == TODAY - datetime.timedelta(days=1)
    assert list(Label.objects.in_force(TODAY).filter(local_service=application.local_service)) == [renewed]
    assert attestation_status(old_attestation) == AttestationStatus.REPLACED
    assert attestation_status(renewed.attestations.get()) == AttestationStatus.VALID


def test_a_refused_renewal_leaves_the_previous_label_to_its_end():
    application, manager = _decidable(users=69.99, kind=ApplicationKind.RENEWAL)
    previous = _held(application, Tier.ARGENT)
    services.decision_issue(user=manager, application=application, motivation="Enquête usagers sous 70.")
    assert Label.objects.get(pk=previous.pk).ends_on == previous.ends_on
    assert Label.objects.count() == 1


# --- The 6-month wait follows the decision in force (§3.8.1) ------------------------------------------------------


def test_a_refusal_corrected_into_an_award_no_longer_blocks_a_new_application():
    from candidates.models import Application
    from candidates.services import last_refusal_date

    application, manager = _decidable(users=69.99)
    refusal = services.decision_issue(user=manager, application=application, motivation="Sous le seuil.")
    assert last_refusal_date(application.local_service) == TODAY
    Application.objects.filter(pk=application.pk).update(user_survey_score=70)
    application.refresh_from_db()
    correction = services.decision_issue(
        user=manager, application=application, replaces=refusal, motivation="Score corrigé : 70."
    )
    assert correction.outcome == DecisionOutcome.AWARD
    assert last_refusal_date(application.local_service) is None
    application.refresh_from_db()
    assert application.outcome == ApplicationOutcome.LABELLED and application.refusal_notified_on is None


def test_the_wait_counts_from_the_refusal_decision_in_force():
    from candidates.services import last_refusal_date

    application, manager = _decidable(users=69.99)
    refusal = services.decision_issue(user=manager, application=application, motivation="Sous le seuil.")
    application.refresh_from_db()
    # A correction that still refuses, issued later, restarts the wait from its own date.
    with time_machine.travel(TODAY + datetime.timedelta(days=10), tick=False):
        services.decision_issue(
            user=manager, application=application, replaces=refusal, motivation="Motivation complétée."
        )
    assert last_refusal_date(application.local_service) == TODAY + datetime.timedelta(days=10)
