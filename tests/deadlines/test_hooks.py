"""Each service that causes a deadline creates it, and the one that fulfils it closes it (issue #7, « Design »)."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from audits import rules as audit_rules
from audits import services as audit_services
from decisions import services_lifecycle as lifecycle
from decisions.enums import DecisionOutcome, SuspensionReason, WithdrawalReason
from decisions.models import ActionPlanRequest
from labelsp.deadlines.enums import Actor, DeadlineKind, DeadlineStatus
from labelsp.deadlines.models import Deadline
from labelsp.deadlines.services import deadline_declare_done, label_schedule_sync
from tests.decisions.factories import DecisionFactory, LabelFactory
from tests.decisions.test_lifecycle import _manager, _staff

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = datetime.date.today()


def _of(subject, kind):
    return Deadline.objects.get(
        subject_id=subject.pk, subject_type__model=subject._meta.model_name, kind=kind
    )


def test_a_suspension_asks_the_body_to_decide_at_its_end_and_lifting_it_closes_that():
    label = LabelFactory(decision__decided_on=TODAY - datetime.timedelta(days=100))
    manager = _manager(label.certification_body)
    suspension = lifecycle.suspension_create(
        user=manager,
        label=label,
        reason=SuspensionReason.AT_REQUEST,
        starts_on=TODAY,
        ends_on=TODAY + datetime.timedelta(days=90),
    )
    end = _of(suspension, DeadlineKind.SUSPENSION_END)
    assert (end.due_on, end.actor, end.status) == (TODAY + datetime.timedelta(days=90), Actor.BODY, "open")
    lifecycle.suspension_lift(user=manager, suspension=suspension, lifted_on=TODAY)
    assert _of(suspension, DeadlineKind.SUSPENSION_END).status == DeadlineStatus.DONE


def test_a_withdrawal_dates_the_mark_removal_and_ends_the_labels_cycle():
    label = LabelFactory(decision__decided_on=TODAY - datetime.timedelta(days=100))
    label_schedule_sync(label)
    assert Deadline.objects.filter(subject_id=label.pk, status=DeadlineStatus.OPEN).count() > 5
    withdrawal = lifecycle.withdrawal_create(
        user=_manager(label.certification_body),
        label=label,
        reason=WithdrawalReason.TRADEMARK_BREACH,
        effective_on=TODAY,
    )
    mark = _of(withdrawal, DeadlineKind.MARK_REMOVAL)
    assert mark.due_on == lifecycle.stop_using_mark_by(TODAY) and mark.actor == Actor.CANDIDATE
    assert not Deadline.objects.filter(
        subject_type__model="label", subject_id=label.pk, status=DeadlineStatus.OPEN
    ).exists()


def test_an_action_plan_is_due_in_a_month_and_closed_when_produced():
    from decisions.services import _schedule

    label = LabelFactory()
    decision = DecisionFactory(
        application=label.decision.application, outcome=DecisionOutcome.ACTION_PLAN, tier=""
    )
    request = ActionPlanRequest.objects.create(
        decision=decision, label=label, due_on=TODAY + datetime.timedelta(days=30)
    )

    class Proposal:
        held = label

    _schedule(decision, Proposal, label, TODAY)
    assert _of(request, DeadlineKind.ACTION_PLAN).due_on == request.due_on
    lifecycle.action_plan_submit(
        user=_staff(label.local_service), request=request, summary="Former l’accueil."
    )
    assert _of(request, DeadlineKind.ACTION_PLAN).status == DeadlineStatus.DONE


def test_a_refusal_dates_when_the_candidate_may_apply_again():
    from tests.decisions.test_services import _decidable

    application, manager = _decidable(users=69.99)
    from decisions.services import decision_issue

    refusal = decision_issue(user=manager, application=application, motivation="Enquête usagers sous 70.")
    from candidates.rules import new_application_allowed_from

    assert _of(refusal, DeadlineKind.NEW_APPLICATION).due_on == new_application_allowed_from(TODAY)


def test_the_plan_deadline_is_the_last_day_to_send_it_and_sending_closes_it():
    from tests.audits.test_services import _plannable, _save

    # Visit on Tuesday 19 May 2026, with 1 May, 8 May and Ascension: 10 working days run from Monday 4 May, so the
    # plan may go until Sunday 3 May, not on Monday 4 May.
    latest = audit_rules.latest_plan_day(D(2026, 5, 19))
    assert latest == D(2026, 5, 3)
    assert audit_rules.first_visit_day(latest) == D(2026, 5, 19)
    assert audit_rules.first_visit_day(latest + datetime.timedelta(days=1)) > D(2026, 5, 19)
    audit, site, manager = _plannable()
    _save(audit, manager, site, D(2026, 5, 19), D(2026, 4, 20))
    plan = _of(audit, DeadlineKind.AUDIT_PLAN)
    assert (plan.due_on, plan.actor) == (D(2026, 5, 3), Actor.BODY)
    audit_services.audit_plan_send(user=manager, audit=audit, today=D(2026, 4, 30))
    assert _of(audit, DeadlineKind.AUDIT_PLAN).status == DeadlineStatus.DONE
    report = _of(audit, DeadlineKind.REPORT)
    assert report.due_on == D(2026, 5, 19) + datetime.timedelta(days=21)


def test_sending_the_report_closes_its_deadline_and_opens_the_observations_window():
    from tests.audits.test_services_report import SENT, ready_audit, send

    audit, auditor = ready_audit()
    Deadline.objects.create(
        key=f"audit:{audit.pk}:report",
        kind=DeadlineKind.REPORT,
        subject_type_id=_content_type(audit),
        subject_id=audit.pk,
        actor=Actor.BODY,
        due_on=audit.visit_end + datetime.timedelta(days=21),
    )
    send(audit, auditor)
    assert _of(audit, DeadlineKind.REPORT).status == DeadlineStatus.DONE
    observations = _of(audit, DeadlineKind.OBSERVATIONS)
    assert observations.due_on == audit_rules.observations_due(SENT.date()) == D(2027, 3, 11)
    assert observations.actor == Actor.CANDIDATE


def _content_type(model):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(model).pk


def test_the_file_is_due_a_month_before_the_audit_and_submitting_it_closes_that():
    from candidates import services as candidate_services
    from tests.candidates.factories import ApplicationFactory
    from tests.candidates.test_services import attach_required_pieces

    application = ApplicationFactory(complete=True)
    attach_required_pieces(application)
    staff = _staff(application.local_service)
    start = TODAY + datetime.timedelta(days=75)
    candidate_services.application_update(
        user=staff, application=application, audit_start=start, audit_end=start + datetime.timedelta(days=1)
    )
    from candidates.rules import latest_submission_date

    assert _of(application, DeadlineKind.APPLICATION_FILE).due_on == latest_submission_date(start)
    candidate_services.application_submit(user=staff, application=application)
    assert _of(application, DeadlineKind.APPLICATION_FILE).status == DeadlineStatus.DONE


def test_a_closed_campaign_dates_its_results_expiry_and_when_a_new_one_is_allowed():
    from candidates.rules import survey_problem, survey_results_expire_on
    from surveys.enums import SurveyKind
    from surveys.rules import new_campaign_allowed_from
    from tests.surveys.test_report import _campaign

    with time_machine.travel(D(2027, 3, 31), tick=False):
        passing = _campaign(kind=SurveyKind.AGENTS)  # 70,45 ≥ 50: secures Bronze
        failing = _campaign(kind=SurveyKind.USERS)  # 61,11 < 70: cannot
    expiry = _of(passing, DeadlineKind.SURVEY_RESULTS_EXPIRY).due_on
    assert expiry == survey_results_expire_on(D(2027, 3, 31)) == D(2027, 10, 1)
    # The boundary of the 6-month rule: an initial audit the day before is fine, on that day it is not.
    assert survey_problem(D(2027, 3, 31), expiry - datetime.timedelta(days=1), initial=True) is None
    assert survey_problem(D(2027, 3, 31), expiry, initial=True) is not None
    assert not Deadline.objects.filter(
        subject_type__model="campaign", subject_id=passing.pk, kind=DeadlineKind.NEW_CAMPAIGN
    ).exists()
    assert _of(failing, DeadlineKind.NEW_CAMPAIGN).due_on == new_campaign_allowed_from(D(2027, 3, 31))


def test_closing_both_surveys_after_the_label_fulfils_the_cycles_surveys():
    from surveys.enums import SurveyKind
    from tests.surveys.test_report import _campaign

    label = LabelFactory(decision__decided_on=TODAY - datetime.timedelta(days=200))
    label_schedule_sync(label)
    _campaign(kind=SurveyKind.USERS, service=label.local_service)
    assert _of(label, DeadlineKind.SURVEYS).status == DeadlineStatus.OPEN
    _campaign(kind=SurveyKind.AGENTS, service=label.local_service)
    assert _of(label, DeadlineKind.SURVEYS).status == DeadlineStatus.DONE


def test_the_service_declares_a_self_assessment_done_and_nobody_else_can(login):
    label = LabelFactory(decision__decided_on=TODAY - datetime.timedelta(days=200))
    label_schedule_sync(label)
    self_assessment = Deadline.objects.filter(kind=DeadlineKind.SELF_ASSESSMENT).order_by("due_on").first()
    expiry = _of(label, DeadlineKind.EXPIRY)
    staff, manager = _staff(label.local_service), _manager(label.certification_body)
    with pytest.raises(PermissionDenied):
        deadline_declare_done(user=manager, deadline=self_assessment)  # the body cannot declare it
    with pytest.raises(PermissionDenied):
        deadline_declare_done(user=staff, deadline=expiry)  # expiry is not something one does
    client = login(staff)
    page = client.get(reverse("deadlines:deadline_list")).content.decode()
    assert reverse("deadlines:deadline_declare_done", args=[self_assessment.pk]) in page
    assert reverse("deadlines:deadline_declare_done", args=[expiry.pk]) not in page
    response = client.post(reverse("deadlines:deadline_declare_done", args=[self_assessment.pk]))
    assert response.status_code == 302
    self_assessment.refresh_from_db()
    assert (self_assessment.status, self_assessment.done_by, self_assessment.next_action_on) == (
        "done",
        staff,
        None,
    )
    # Another service's staff gets a 404: the deadline is outside what they see.
    other = LabelFactory()
    login(_staff(other.local_service))
    assert client.post(reverse("deadlines:deadline_declare_done", args=[expiry.pk])).status_code == 404


def _network_local_label(central, application):
    """A local of `central`'s network labelled through the central process `application`."""
    from tests.candidates.factories import ApplicationFactory, LocalServiceFactory

    local = LocalServiceFactory(parent=central)
    local_application = ApplicationFactory(
        contract=application.contract,
        local_service=local,
        central_application=application,
        status="closed",
        outcome="labelled",
    )
    label = LabelFactory(decision__application=local_application, decision__decided_on=TODAY)
    label_schedule_sync(label)
    return label


def test_a_refused_central_services_locals_owe_a_follow_up_audit_at_18_months_unless_the_central_label_arrives():
    from dateutil.relativedelta import relativedelta

    from decisions.services import decision_issue
    from labelsp.deadlines.enums import Step
    from labelsp.deadlines.services import sweep
    from tests.decisions.test_central import _network

    application, manager = _network([None, None, None])  # no sampled local labelled: the central is refused
    local_label = _network_local_label(application.central_service, application)
    assert not Deadline.objects.filter(subject_id=local_label.pk, kind=DeadlineKind.FOLLOW_UP_AUDIT).exists()
    decision_issue(
        user=manager, application=application, motivation="Réseau insuffisant.", network_attested=True
    )
    owed = _of(local_label, DeadlineKind.FOLLOW_UP_AUDIT)
    assert (owed.window_start, owed.due_on, owed.window_end) == (
        TODAY + relativedelta(months=16),
        TODAY + relativedelta(months=18),
        TODAY + relativedelta(months=20),
    )
    label_schedule_sync(local_label)  # recomputing the local's own schedule keeps what it owes
    assert _of(local_label, DeadlineKind.FOLLOW_UP_AUDIT).status == DeadlineStatus.OPEN
    # The central label arrives later: the local follow-up is no longer owed.
    from decisions.services import _schedule

    award = DecisionFactory(
        application=application,
        local_service=None,
        central_service=application.central_service,
        outcome=DecisionOutcome.AWARD,
    )
    central_label = LabelFactory(decision=award)
    _schedule(award, None, central_label, TODAY)
    assert _of(local_label, DeadlineKind.FOLLOW_UP_AUDIT).status == DeadlineStatus.CANCELLED
    with time_machine.travel(TODAY + relativedelta(months=21), tick=False):
        sweep()
    assert not owed.notifications.filter(step=Step.ESCALATION).exists()


def test_a_withdrawn_central_labels_recent_locals_owe_a_follow_up_audit():
    from tests.decisions.test_lifecycle import _central_label

    central_label = _central_label(TODAY - datetime.timedelta(days=400))
    application = central_label.decision.application
    recent = _network_local_label(application.central_service, application)
    lifecycle.withdrawal_create(
        user=_manager(central_label.certification_body),
        label=central_label,
        reason=WithdrawalReason.TRADEMARK_BREACH,
        effective_on=TODAY,
    )
    owed = _of(recent, DeadlineKind.FOLLOW_UP_AUDIT)
    assert owed.status == DeadlineStatus.OPEN and owed.actor == Actor.CANDIDATE


def test_a_follow_up_decision_fulfils_the_follow_up_audit_and_what_prepared_it():
    from candidates.enums import ApplicationKind
    from decisions.services import decision_issue
    from tests.decisions.test_services import _decidable, _held

    application, manager = _decidable(kind=ApplicationKind.FOLLOW_UP)
    held = _held(application, "or")
    label_schedule_sync(held)
    decision_issue(user=manager, application=application)
    assert _of(held, DeadlineKind.FOLLOW_UP_AUDIT).status == DeadlineStatus.DONE
    assert _of(held, DeadlineKind.FOLLOW_UP_PREPARATION).status == DeadlineStatus.DONE
    assert _of(held, DeadlineKind.SURVEYS).status == DeadlineStatus.DONE
    # What comes after the follow-up stays: the second self-assessment, the renewal, expiry.
    assert _of(held, DeadlineKind.EXPIRY).status == DeadlineStatus.OPEN
    second = Deadline.objects.get(subject_id=held.pk, key__endswith=":self_assessment:2")
    assert second.status == DeadlineStatus.OPEN


def test_a_schedule_recorded_late_escalates_missed_obligations_once_and_closes_past_events(
    django_capture_on_commit_callbacks,
):
    """A label decided 540 days ago whose schedule is only recorded today (a correction, an import)."""
    from labelsp.deadlines.enums import Step
    from labelsp.deadlines.services import sweep

    label = LabelFactory(decision__decided_on=TODAY - datetime.timedelta(days=540))
    staff = _staff(label.local_service)
    label_schedule_sync(label)
    first_self_assessment = Deadline.objects.get(subject_id=label.pk, key__endswith=":self_assessment:1")
    assert first_self_assessment.next_action_on == first_self_assessment.due_on + datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        sweep()
        sweep()
    first_self_assessment.refresh_from_db()
    assert first_self_assessment.status == DeadlineStatus.OVERDUE
    assert list(first_self_assessment.notifications.values_list("step", "user")) == [
        (Step.ESCALATION, staff.pk)
    ]
    # The follow-up preparation (an event, 12 months) is past: done, with no late notice.
    preparation = _of(label, DeadlineKind.FOLLOW_UP_PREPARATION)
    assert preparation.status == DeadlineStatus.DONE and not preparation.notifications.exists()
