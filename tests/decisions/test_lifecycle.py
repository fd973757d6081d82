"""The label's life after its decision: suspension, withdrawal, action plans, appeals (decisions/services_lifecycle.py;
guide §3.8.1, §5.1, §5.3)."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from decisions import services_lifecycle as lifecycle
from decisions.enums import AppealStatus, DecisionOutcome, LabelStatus, SuspensionReason, WithdrawalReason
from decisions.models import ActionPlanRequest, Appeal, Label, Suspension
from labelsp.accounts.enums import Role
from tests.accounts.factories import MembershipFactory
from tests.candidates.factories import (
    ApplicationFactory,
    CentralServiceFactory,
    LocalServiceFactory,
    ServiceContractFactory,
)
from tests.decisions.factories import DecisionFactory, LabelFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def _manager(body):
    return MembershipFactory(role=Role.CB_MANAGER, organisation=body).user


def _staff(service):
    return MembershipFactory(role=Role.CANDIDATE, organisation=service).user


def _label_on(day: D, **kwargs) -> Label:
    return LabelFactory(decision=DecisionFactory(decided_on=day, **kwargs))


def _central_label(day: D) -> Label:
    central = CentralServiceFactory()
    contract = ServiceContractFactory(central_service=central, local_service=None)
    application = ApplicationFactory(
        contract=contract, local_service=None, central_service=central, status="closed", outcome="labelled"
    )
    return _label_on(day, application=application)


def _local_label_in(central, day: D, body) -> Label:
    local = LocalServiceFactory(parent=central)
    contract = ServiceContractFactory(local_service=local, certification_body=body)
    application = ApplicationFactory(
        contract=contract, local_service=local, status="closed", outcome="labelled"
    )
    return _label_on(day, application=application)


def _suspend(label, user, **kwargs):
    values = {
        "reason": SuspensionReason.POSTPONEMENTS,
        "details": "Trois reports successifs.",
        "starts_on": D(2027, 3, 15),
        "ends_on": D(2027, 6, 15),
    }
    return lifecycle.suspension_create(user=user, label=label, **{**values, **kwargs})


# --- Pure rules -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("effective_on", "stop_by"),
    [
        (D(2027, 3, 31), D(2027, 5, 31)),
        (D(2027, 3, 15), D(2027, 5, 15)),
        (D(2026, 12, 31), D(2027, 2, 28)),
        (D(2027, 12, 31), D(2028, 2, 29)),  # leap year
        (D(2027, 12, 30), D(2028, 2, 29)),
    ],
)
def test_the_mark_must_stop_within_two_months_of_the_withdrawal(effective_on, stop_by):
    assert lifecycle.stop_using_mark_by(effective_on) == stop_by


@pytest.mark.parametrize(
    ("starts_on", "last_day"),
    [(D(2027, 3, 15), D(2028, 3, 15)), (D(2028, 2, 29), D(2029, 2, 28)), (D(2027, 1, 31), D(2028, 1, 31))],
)
def test_a_suspension_lasts_at_most_twelve_months(starts_on, last_day):
    assert lifecycle.suspension_last_allowed_day(starts_on) == last_day


def test_the_displayed_status_is_expired_the_day_after_the_last_day():
    label = _label_on(D(2027, 3, 15))
    assert label.ends_on == D(2030, 3, 14)
    assert lifecycle.label_display_status(label, D(2030, 3, 14)) == lifecycle.ACTIVE
    assert lifecycle.label_display_status(label, D(2030, 3, 15)) == lifecycle.EXPIRED


# --- Suspension -----------------------------------------------------------------------------------------------------


@time_machine.travel(D(2027, 3, 20), tick=False)
def test_a_suspension_of_exactly_twelve_months_is_accepted(django_capture_on_commit_callbacks, mailoutbox):
    label = _label_on(D(2027, 1, 10))
    service_staff = _staff(label.local_service)
    ditp = MembershipFactory(role=Role.DITP).user
    with django_capture_on_commit_callbacks(execute=True):
        suspension = _suspend(label, _manager(label.certification_body), ends_on=D(2028, 3, 15))
    label.refresh_from_db()
    assert label.status == LabelStatus.SUSPENDED
    assert suspension.ends_on == D(2028, 3, 15)
    assert suspension.decided_by.memberships.get().role == Role.CB_MANAGER
    assert len(mailoutbox) == 1
    assert sorted(mailoutbox[0].to) == sorted([service_staff.email, ditp.email])
    assert "15 mars 2028" in mailoutbox[0].body
    assert "Reports successifs" in mailoutbox[0].body


@time_machine.travel(D(2027, 3, 20), tick=False)
def test_a_suspension_one_day_longer_than_twelve_months_is_refused():
    label = _label_on(D(2027, 1, 10))
    with pytest.raises(ValidationError) as error:
        _suspend(label, _manager(label.certification_body), ends_on=D(2028, 3, 16))
    assert error.value.message_dict == {
        "ends_on": [
            "Une suspension dure au plus 12 mois : elle doit prendre fin le 15 mars 2028 au plus tard."
        ]
    }
    label.refresh_from_db()
    assert label.status == LabelStatus.ACTIVE
    assert not Suspension.objects.exists()


@time_machine.travel(D(2027, 3, 20), tick=False)
def test_only_one_open_suspension_at_a_time():
    label = _label_on(D(2027, 1, 10))
    manager = _manager(label.certification_body)
    _suspend(label, manager)
    with pytest.raises(ValidationError, match="déjà suspendu"):
        _suspend(label, manager, reason=SuspensionReason.TRADEMARK_BREACH)
    assert Suspension.objects.count() == 1


@time_machine.travel(D(2027, 3, 20), tick=False)
def test_a_suspension_cannot_start_in_the_future_nor_before_the_label():
    label = _label_on(D(2027, 1, 10))
    manager = _manager(label.certification_body)
    with pytest.raises(ValidationError) as error:
        _suspend(label, manager, starts_on=D(2027, 3, 21), ends_on=D(2027, 5, 1))
    assert list(error.value.message_dict) == ["starts_on"]
    with pytest.raises(ValidationError) as error:
        _suspend(label, manager, starts_on=D(2027, 1, 9), ends_on=D(2027, 5, 1))
    assert list(error.value.message_dict) == ["starts_on"]


def test_only_the_issuing_bodys_managers_suspend():
    label = LabelFactory()
    other_body_manager = _manager(LabelFactory().certification_body)
    auditor = MembershipFactory(role=Role.AUDITOR, organisation=label.certification_body).user
    for user in (other_body_manager, auditor, _staff(label.local_service)):
        with pytest.raises(PermissionDenied):
            _suspend(label, user)


@time_machine.travel(D(2027, 3, 20), tick=False)
def test_lifting_a_suspension_reactivates_the_label_without_extending_it(
    django_capture_on_commit_callbacks, mailoutbox
):
    label = _label_on(D(2027, 1, 10))
    staff = _staff(label.local_service)
    manager = _manager(label.certification_body)
    suspension = _suspend(label, manager)
    with time_machine.travel(D(2027, 5, 2), tick=False), django_capture_on_commit_callbacks(execute=True):
        lifecycle.suspension_lift(user=manager, suspension=suspension, lifted_on=D(2027, 5, 2))
    label.refresh_from_db()
    suspension.refresh_from_db()
    assert label.status == LabelStatus.ACTIVE
    assert label.ends_on == D(2030, 1, 9)
    assert suspension.lifted_on == D(2027, 5, 2)
    assert mailoutbox[-1].to == [staff.email]
    assert "9 janvier 2030" in mailoutbox[-1].body
    # Lifted, it may be suspended again.
    with time_machine.travel(D(2027, 5, 3), tick=False):
        _suspend(label, manager, starts_on=D(2027, 5, 3), ends_on=D(2027, 7, 1))


@time_machine.travel(D(2027, 3, 20), tick=False)
def test_a_suspension_is_lifted_once_and_not_before_it_began():
    label = _label_on(D(2027, 1, 10))
    manager = _manager(label.certification_body)
    suspension = _suspend(label, manager)
    with pytest.raises(ValidationError) as error:
        lifecycle.suspension_lift(user=manager, suspension=suspension, lifted_on=D(2027, 3, 14))
    assert list(error.value.message_dict) == ["lifted_on"]
    lifecycle.suspension_lift(user=manager, suspension=suspension, lifted_on=D(2027, 3, 20))
    with pytest.raises(ValidationError, match="déjà levée"):
        lifecycle.suspension_lift(user=manager, suspension=suspension, lifted_on=D(2027, 3, 20))


# --- Withdrawal and the public list ---------------------------------------------------------------------------------


@time_machine.travel(D(2027, 3, 20), tick=False)
def test_a_withdrawal_takes_the_label_off_the_public_list_on_its_effective_date(
    django_capture_on_commit_callbacks, mailoutbox
):
    label = _label_on(D(2027, 1, 10))
    staff = _staff(label.local_service)
    ditp = MembershipFactory(role=Role.DITP).user
    with django_capture_on_commit_callbacks(execute=True):
        withdrawal = lifecycle.withdrawal_create(
            user=_manager(label.certification_body),
            label=label,
            reason=WithdrawalReason.TRADEMARK_BREACH,
            effective_on=D(2027, 3, 31),
        )
    label.refresh_from_db()
    assert label.status == LabelStatus.ACTIVE  # not yet effective
    assert list(lifecycle.public_labels(D(2027, 3, 30))) == [label]
    assert list(lifecycle.public_labels(D(2027, 3, 31))) == []
    assert withdrawal.effective_on == D(2027, 3, 31)
    assert sorted(mailoutbox[0].to) == sorted([staff.email, ditp.email])
    assert "31 mai 2027" in mailoutbox[0].body  # stop using the mark by
    # The sweep marks it withdrawn on its effective date, and is safe to run twice.
    assert lifecycle.withdrawals_take_effect(today=D(2027, 3, 30)) == 0
    assert lifecycle.withdrawals_take_effect(today=D(2027, 3, 31)) == 1
    assert lifecycle.withdrawals_take_effect(today=D(2027, 3, 31)) == 0
    label.refresh_from_db()
    assert label.status == LabelStatus.WITHDRAWN
    assert lifecycle.label_display_status(label, D(2027, 3, 31)) == lifecycle.WITHDRAWN


@time_machine.travel(D(2027, 3, 20), tick=False)
def test_a_withdrawal_effective_today_withdraws_at_once_and_only_once():
    label = _label_on(D(2027, 1, 10))
    manager = _manager(label.certification_body)
    lifecycle.withdrawal_create(
        user=manager, label=label, reason=WithdrawalReason.NO_FOLLOW_UP, effective_on=D(2027, 3, 20)
    )
    label.refresh_from_db()
    assert label.status == LabelStatus.WITHDRAWN
    with pytest.raises(ValidationError, match="déjà fait l’objet d’un retrait"):
        lifecycle.withdrawal_create(
            user=manager, label=label, reason=WithdrawalReason.NO_FOLLOW_UP, effective_on=D(2027, 3, 25)
        )


@time_machine.travel(D(2027, 3, 20), tick=False)
def test_a_withdrawal_is_not_backdated():
    label = _label_on(D(2027, 1, 10))
    with pytest.raises(ValidationError) as error:
        lifecycle.withdrawal_create(
            user=_manager(label.certification_body),
            label=label,
            reason=WithdrawalReason.NO_FOLLOW_UP,
            effective_on=D(2027, 3, 19),
        )
    assert list(error.value.message_dict) == ["effective_on"]


def test_the_public_list_keeps_suspended_labels_marked_and_drops_expired_ones():
    active = _label_on(D(2027, 1, 10))
    suspended = _label_on(D(2027, 1, 10))
    with time_machine.travel(D(2027, 3, 20), tick=False):
        _suspend(suspended, _manager(suspended.certification_body))
    listed = {label.pk: label.is_suspended for label in lifecycle.public_labels(D(2027, 4, 1))}
    assert listed == {active.pk: False, suspended.pk: True}
    # Before the suspension began, it was not marked; after its last day the label is off the list.
    assert {label.pk: label.is_suspended for label in lifecycle.public_labels(D(2027, 3, 14))}[
        suspended.pk
    ] is False
    assert {label.pk for label in lifecycle.public_labels(D(2030, 1, 9))} == {active.pk, suspended.pk}
    assert list(lifecycle.public_labels(D(2030, 1, 10))) == []


@time_machine.travel(D(2029, 3, 20), tick=False)
def test_withdrawing_a_central_label_lists_its_locals_labelled_less_than_two_years_before(
    django_capture_on_commit_callbacks, mailoutbox
):
    central_label = _central_label(D(2027, 6, 1))
    body = central_label.certification_body
    central = central_label.central_service
    central_staff = MembershipFactory(role=Role.CENTRAL, organisation=central).user
    recent = _local_label_in(central, D(2027, 4, 1), body)  # 2 years minus a day before the effective date
    old = _local_label_in(central, D(2027, 3, 31), body)  # exactly 2 years before: not concerned
    elsewhere = _local_label_in(CentralServiceFactory(), D(2028, 1, 1), body)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.withdrawal_create(
            user=_manager(body),
            label=central_label,
            reason=WithdrawalReason.NO_FOLLOW_UP,
            effective_on=D(2029, 3, 31),
        )
    listed = list(lifecycle.locals_keeping_mark_conditionally(central_label, D(2029, 3, 31)))
    assert listed == [recent]
    assert mailoutbox[0].to == [central_staff.email]
    body_text = mailoutbox[0].body
    assert recent.local_service.name in body_text
    assert old.local_service.name not in body_text
    assert elsewhere.local_service.name not in body_text
    assert "audit de suivi local" in body_text


# --- Action plans ---------------------------------------------------------------------------------------------------


def _action_plan(due_on: D) -> ActionPlanRequest:
    label = _label_on(D(2027, 1, 10))
    decision = DecisionFactory(
        application=label.decision.application,
        outcome=DecisionOutcome.ACTION_PLAN,
        tier="",
        decided_on=D(2028, 7, 1),
    )
    return ActionPlanRequest.objects.create(decision=decision, label=label, due_on=due_on)


def test_the_action_plan_is_accepted_on_its_due_date(django_capture_on_commit_callbacks, mailoutbox):
    plan = _action_plan(D(2028, 8, 1))
    manager = _manager(plan.label.certification_body)
    with time_machine.travel(D(2028, 8, 1), tick=False), django_capture_on_commit_callbacks(execute=True):
        lifecycle.action_plan_submit(
            user=_staff(plan.label.local_service), request=plan, summary="  Former les agents d’accueil.  "
        )
    plan.refresh_from_db()
    assert plan.summary == "Former les agents d’accueil."
    assert plan.submitted_at is not None
    assert mailoutbox[0].to == [manager.email]


def test_the_action_plan_is_refused_the_day_after_its_due_date():
    plan = _action_plan(D(2028, 8, 1))
    with time_machine.travel(D(2028, 8, 2), tick=False):
        assert lifecycle.action_plan_overdue(plan)
        with pytest.raises(ValidationError, match="expiré le 1 août 2028"):
            lifecycle.action_plan_submit(user=_staff(plan.label.local_service), request=plan, summary="Plan.")
    plan.refresh_from_db()
    assert plan.submitted_at is None
    assert not lifecycle.action_plan_overdue(plan, D(2028, 8, 1))


def test_the_action_plan_needs_a_summary_and_the_services_staff():
    plan = _action_plan(D(2028, 8, 1))
    with time_machine.travel(D(2028, 7, 15), tick=False):
        with pytest.raises(ValidationError) as error:
            lifecycle.action_plan_submit(user=_staff(plan.label.local_service), request=plan, summary="   ")
        assert list(error.value.message_dict) == ["summary"]
        with pytest.raises(PermissionDenied):
            lifecycle.action_plan_submit(
                user=_manager(plan.label.certification_body), request=plan, summary="Plan."
            )


# --- Appeals --------------------------------------------------------------------------------------------------------


def test_a_service_appeals_a_decision_once_at_a_time(django_capture_on_commit_callbacks, mailoutbox):
    decision = DecisionFactory(
        outcome=DecisionOutcome.REFUSAL, tier="", motivation="Engagement 4 insuffisant."
    )
    staff = _staff(decision.local_service)
    manager = _manager(decision.certification_body)
    with pytest.raises(ValidationError) as error:
        lifecycle.appeal_file(user=staff, decision=decision, grounds="  ")
    assert list(error.value.message_dict) == ["grounds"]
    with django_capture_on_commit_callbacks(execute=True):
        appeal = lifecycle.appeal_file(user=staff, decision=decision, grounds="Scores mal reportés.")
    assert appeal.status == AppealStatus.PENDING
    assert appeal.filed_by == staff
    assert mailoutbox[0].to == [manager.email]
    with pytest.raises(ValidationError, match="déjà en cours"):
        lifecycle.appeal_file(user=staff, decision=decision, grounds="Encore.")
    with pytest.raises(PermissionDenied):
        lifecycle.appeal_file(user=_staff(LocalServiceFactory()), decision=decision, grounds="Pas le mien.")


def test_a_dismissed_appeal_is_recorded_with_the_committees_opinion():
    decision = DecisionFactory(
        outcome=DecisionOutcome.REFUSAL, tier="", motivation="Engagement 4 insuffisant."
    )
    appeal = Appeal.objects.create(
        decision=decision, grounds="Scores mal reportés.", filed_by=decision.decided_by
    )
    manager = _manager(decision.certification_body)
    with pytest.raises(ValidationError) as error:
        lifecycle.appeal_record(
            user=manager, appeal=appeal, status=AppealStatus.DISMISSED, committee_opinion=""
        )
    assert list(error.value.message_dict) == ["committee_opinion"]
    lifecycle.appeal_record(
        user=manager, appeal=appeal, status=AppealStatus.DISMISSED, committee_opinion="Scores vérifiés."
    )
    appeal.refresh_from_db()
    assert (appeal.status, appeal.committee_opinion, appeal.recorded_by) == (
        AppealStatus.DISMISSED,
        "Scores vérifiés.",
        manager,
    )
    assert appeal.decided_at is not None
    assert appeal.new_decision is None
    with pytest.raises(ValidationError, match="déjà été examiné"):
        lifecycle.appeal_record(
            user=manager, appeal=appeal, status=AppealStatus.UPHELD, committee_opinion="Non."
        )
    # A new appeal is possible once the previous one is examined.
    lifecycle.appeal_file(
        user=_staff(decision.local_service), decision=decision, grounds="Éléments nouveaux."
    )


def test_an_upheld_appeal_issues_the_new_decision_that_replaces_the_contested_one():
    from candidates.models import Application
    from decisions.services import decision_issue
    from tests.decisions.test_services import _decidable

    application, manager = _decidable(users=69.99)
    refusal = decision_issue(user=manager, application=application, motivation="Enquête usagers sous 70.")
    appeal = Appeal.objects.create(
        decision=refusal, grounds="Score mal reporté : 75,4.", filed_by=refusal.decided_by
    )
    # The committee finds the user survey was mis-entered; the file is corrected before the new decision.
    Application.objects.filter(pk=application.pk).update(user_survey_score=75.4)
    lifecycle.appeal_record(
        user=manager,
        appeal=appeal,
        status=AppealStatus.UPHELD,
        committee_opinion="Erreur de report confirmée.",
        motivation="Score de l’enquête usagers corrigé.",
    )
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.UPHELD
    assert appeal.new_decision.replaces == refusal
    assert (appeal.new_decision.outcome, appeal.new_decision.tier) == (DecisionOutcome.AWARD, "bronze")
    assert appeal.new_decision.labels.get().tier == "bronze"


def test_an_upheld_appeal_whose_new_decision_cannot_be_issued_stays_pending():
    """The real decision_issue refuses a file without its audit: nothing is recorded (one transaction)."""
    decision = DecisionFactory(
        outcome=DecisionOutcome.REFUSAL, tier="", motivation="Engagement 4 insuffisant."
    )
    appeal = Appeal.objects.create(
        decision=decision, grounds="Scores mal reportés.", filed_by=decision.decided_by
    )
    with pytest.raises(ValidationError):
        lifecycle.appeal_record(
            user=_manager(decision.certification_body),
            appeal=appeal,
            status=AppealStatus.UPHELD,
            committee_opinion="Erreur de report confirmée.",
        )
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.PENDING
    assert appeal.new_decision is None


def test_only_the_bodys_managers_record_an_appeal():
    decision = DecisionFactory()
    appeal = Appeal.objects.create(decision=decision, grounds="Scores.", filed_by=decision.decided_by)
    for user in (
        _staff(decision.local_service),
        MembershipFactory(role=Role.AUDITOR, organisation=decision.certification_body).user,
    ):
        with pytest.raises(PermissionDenied):
            lifecycle.appeal_record(
                user=user, appeal=appeal, status=AppealStatus.DISMISSED, committee_opinion="x"
            )
