"""Planning services (issue #5): creation, team and declarations, recorded draws, the plan's 10 working days, and
the central audit waiting for its sampled locals."""

import datetime
import json
import uuid

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audits import rules, services
from audits.enums import AssignmentStatus, AuditKind, AuditScope, AuditStatus, DrawKind, GridKind
from audits.models import Audit, AuditGrid, SamplingDraw
from candidates.enums import ApplicationKind, ApplicationStatus
from candidates.models import Application
from labelsp.accounts.enums import Role
from tests.accounts.factories import MembershipFactory
from tests.audits.factories import AssignmentFactory, AuditFactory
from tests.candidates.factories import (
    ApplicationFactory,
    CentralServiceFactory,
    LocalServiceFactory,
    ServiceContractFactory,
    SiteFactory,
)

pytestmark = pytest.mark.django_db


def _finish(audit, status=AuditStatus.CLOSED):
    """Move an audit to a state with its result (plan sent, report sent), bypassing the services."""
    Audit.objects.filter(pk=audit.pk).update(
        status=status,
        plan_sent_at=audit.created_at,
        visit_start=datetime.date(2026, 6, 1),
        visit_end=datetime.date(2026, 6, 1),
        report_sent_at=audit.created_at,
        report_sha256="0" * 64,
    )
    Application.objects.filter(pk=audit.application_id).update(
        status=ApplicationStatus.CLOSED, outcome="audited"
    )


def _manager(body):
    return MembershipFactory(role=Role.CB_MANAGER, organisation=body).user


def _auditor(body):
    return MembershipFactory(role=Role.AUDITOR, organisation=body).user


# --- Creation --------------------------------------------------------------------------------------------------


def test_the_body_creates_the_audit_of_an_acknowledged_file_with_the_current_grid():
    application = ApplicationFactory(status=ApplicationStatus.ACKNOWLEDGED)
    manager = _manager(application.certification_body)
    audit = services.audit_create(user=manager, application=application)
    assert (audit.scope, audit.kind, audit.status) == (
        AuditScope.LOCAL,
        AuditKind.INITIAL,
        AuditStatus.PLANNING,
    )
    assert audit.grid == AuditGrid.objects.current(GridKind.LOCAL)
    assert audit.local_service == application.local_service
    assert audit.log.get().transition == "create"
    with pytest.raises(ValidationError, match="déjà son audit"):
        services.audit_create(user=manager, application=application)


def test_no_audit_before_the_file_is_acknowledged_nor_by_another_body():
    application = ApplicationFactory(status=ApplicationStatus.SUBMITTED)
    with pytest.raises(ValidationError, match="recevable"):
        services.audit_create(user=_manager(application.certification_body), application=application)
    application.status = ApplicationStatus.ACKNOWLEDGED
    with pytest.raises(PermissionDenied):
        services.audit_create(user=_manager(None), application=application)
    with pytest.raises(PermissionDenied):
        services.audit_create(user=_auditor(application.certification_body), application=application)


def test_a_central_file_gets_the_central_grid():
    central = CentralServiceFactory()
    contract = ServiceContractFactory(central_service=central, local_service=None)
    application = ApplicationFactory(
        contract=contract, local_service=None, central_service=central, status=ApplicationStatus.ACKNOWLEDGED
    )
    audit = services.audit_create(user=_manager(contract.certification_body), application=application)
    assert audit.scope == AuditScope.CENTRAL
    assert audit.grid.kind == GridKind.CENTRAL


# --- Team ------------------------------------------------------------------------------------------------------


def test_an_auditor_is_assigned_only_after_signing_the_no_conflict_declaration(
    django_capture_on_commit_callbacks,
):
    audit = AuditFactory()
    manager, auditor = _manager(audit.certification_body), _auditor(audit.certification_body)
    with django_capture_on_commit_callbacks(execute=True):
        assignment = services.assignment_propose(user=manager, audit=audit, auditor=auditor, is_lead=True)
    assert assignment.status == AssignmentStatus.PROPOSED
    assert not Audit.objects.assigned_to(auditor).exists()
    assert [m.to for m in mail.outbox] == [[auditor.email]]
    services.assignment_declare(user=auditor, assignment=assignment, no_conflict=True)
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.ASSIGNED
    assert assignment.declared_at is not None
    assert audit.local_service.name in assignment.declaration
    assert list(Audit.objects.assigned_to(auditor)) == [audit]
    with pytest.raises(ValidationError, match="déjà répondu"):
        services.assignment_declare(user=auditor, assignment=assignment, no_conflict=True)


def test_a_declared_conflict_needs_its_reason_and_does_not_assign():
    audit = AuditFactory()
    auditor = _auditor(audit.certification_body)
    assignment = services.assignment_propose(
        user=_manager(audit.certification_body), audit=audit, auditor=auditor
    )
    with pytest.raises(ValidationError):
        services.assignment_declare(user=auditor, assignment=assignment, no_conflict=False, reason=" ")
    services.assignment_declare(
        user=auditor, assignment=assignment, no_conflict=False, reason="J’ai conseillé ce service en 2025."
    )
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.DECLINED
    assert not Audit.objects.assigned_to(auditor).exists()


def test_only_the_proposed_auditor_declares_and_only_the_bodys_auditors_are_proposed():
    audit = AuditFactory()
    manager = _manager(audit.certification_body)
    with pytest.raises(ValidationError):
        services.assignment_propose(user=manager, audit=audit, auditor=_auditor(None))
    assignment = services.assignment_propose(
        user=manager, audit=audit, auditor=_auditor(audit.certification_body)
    )
    with pytest.raises(PermissionDenied):
        services.assignment_declare(user=manager, assignment=assignment, no_conflict=True)
    with pytest.raises(ValidationError, match="déjà proposé"):
        services.assignment_propose(user=manager, audit=audit, auditor=assignment.auditor)


def test_a_follow_up_proposes_the_auditor_of_the_initial_audit_first():
    initial = AuditFactory(reported=True)
    initial_auditor = AssignmentFactory(audit=initial).auditor
    body = initial.certification_body
    _auditor(body), _auditor(body)
    _finish(initial)
    application = ApplicationFactory(
        contract=initial.application.contract,
        local_service=initial.local_service,
        kind=ApplicationKind.FOLLOW_UP,
        status=ApplicationStatus.ACKNOWLEDGED,
    )
    follow_up = services.audit_create(user=_manager(body), application=application)
    assert follow_up.previous_audit == initial
    auditors = services.body_auditors(follow_up)
    assert auditors[0] == (initial_auditor, True)
    assert all(not previous for _user, previous in auditors[1:])
    assert len(auditors) == 3


# --- Draws -----------------------------------------------------------------------------------------------------


def _central_audit(n_locals, **kwargs):
    central = CentralServiceFactory()
    locals_ = [LocalServiceFactory(parent=central) for _ in range(n_locals)]
    LocalServiceFactory(parent=central, parent_confirmed_at=None)  # not confirmed: not in the network
    contract = ServiceContractFactory(central_service=central, local_service=None)
    application = ApplicationFactory(
        contract=contract,
        local_service=None,
        central_service=central,
        status=ApplicationStatus.ACKNOWLEDGED,
        **kwargs,
    )
    audit = AuditFactory(application=application)
    return audit, locals_


@pytest.mark.parametrize(("n", "expected"), [(1, 1), (2, 2), (9, 3), (10, 4)])
def test_the_locals_draw_takes_at_least_the_square_root_rounded_up_and_is_reproducible(n, expected):
    audit, locals_ = _central_audit(n)
    manager = _manager(audit.certification_body)
    with pytest.raises(ValidationError):
        services.audit_draw(user=manager, audit=audit, kind=DrawKind.LOCALS, size=expected - 1 or 0)
    draw = services.audit_draw(user=manager, audit=audit, kind=DrawKind.LOCALS)
    assert draw.size == expected == len(draw.selected)
    assert {identifier for identifier, _label in draw.population} == {str(local.pk) for local in locals_}
    assert set(draw.selected) <= {str(local.pk) for local in locals_}
    assert services.draw_replay(draw) == draw.selected
    assert rules.draw([str(local.pk) for local in reversed(locals_)], draw.size, draw.seed) == draw.selected
    with pytest.raises(ValidationError, match="déjà été fait"):
        services.audit_draw(user=manager, audit=audit, kind=DrawKind.LOCALS)


def test_a_follow_up_draws_among_the_locals_not_yet_audited_in_the_cycle():
    audit, _locals = _central_audit(9)
    manager = _manager(audit.certification_body)
    first = services.audit_draw(user=manager, audit=audit, kind=DrawKind.LOCALS)
    _finish(audit)
    follow_up_application = ApplicationFactory(
        contract=audit.application.contract,
        local_service=None,
        central_service=audit.central_service,
        kind=ApplicationKind.FOLLOW_UP,
        status=ApplicationStatus.ACKNOWLEDGED,
    )
    follow_up = services.audit_create(user=manager, application=follow_up_application)
    second = services.audit_draw(user=manager, audit=follow_up, kind=DrawKind.LOCALS)
    assert sorted(second.excluded) == sorted(first.selected)
    assert not set(second.selected) & set(first.selected)
    assert second.size == 3  # still ⌈√9⌉ of the whole network
    assert services.draw_replay(second) == second.selected


def test_the_sites_draw_sets_the_audited_sites_and_refuses_the_wrong_kind():
    audit = AuditFactory()
    sites = [SiteFactory(local_service=audit.local_service) for _ in range(5)]
    SiteFactory(local_service=audit.local_service, is_active=False)
    manager = _manager(audit.certification_body)
    with pytest.raises(ValidationError):
        services.audit_draw(user=manager, audit=audit, kind=DrawKind.LOCALS)
    draw = services.audit_draw(user=manager, audit=audit, kind=DrawKind.SITES)
    assert draw.size == 3
    assert {str(site.pk) for site in audit.sites.all()} == set(draw.selected)
    assert set(draw.selected) <= {str(site.pk) for site in sites}
    assert SamplingDraw.objects.filter(audit=audit).count() == 1


# --- The plan: 10 French working days ----------------------------------------------------------------------------


def _plannable(audit_kwargs=None):
    audit = AuditFactory(**(audit_kwargs or {}))
    site = SiteFactory(local_service=audit.local_service)
    manager = _manager(audit.certification_body)
    AssignmentFactory(audit=audit)
    return audit, site, manager


def _save(audit, manager, site, start, today):
    return services.audit_plan_save(
        user=manager,
        audit=audit,
        visit_start=start,
        visit_end=start,
        duration_days=1,
        sites=[site],
        resource_persons="M. Qualité, 04 00 00 00 00",
        agenda="9 h réunion d’ouverture",
        today=today,
    )


def test_the_visit_is_refused_before_the_tenth_working_day_across_may_holidays():
    # Sent on Thursday 30 April 2026: 1 May, 8 May and Ascension (14 May) are public holidays.
    today = datetime.date(2026, 4, 30)
    assert rules.first_visit_day(today) == datetime.date(2026, 5, 19)
    audit, site, manager = _plannable()
    with pytest.raises(ValidationError) as error:
        _save(audit, manager, site, datetime.date(2026, 5, 18), today)
    [message] = error.value.message_dict["visit_start"]
    assert "19 mai 2026" in message
    _save(audit, manager, site, datetime.date(2026, 5, 19), today)
    services.audit_plan_send(user=manager, audit=audit, today=today)
    audit.refresh_from_db()
    assert audit.status == AuditStatus.PLAN_SENT and audit.plan_sent_at is not None


def test_sending_later_than_planned_is_refused_with_the_first_possible_date():
    # Planned on 1 July 2026 for 17 July; not sent until 6 July: with 14 July, the visit must wait until 21 July.
    audit, site, manager = _plannable()
    _save(audit, manager, site, datetime.date(2026, 7, 17), datetime.date(2026, 7, 1))
    with pytest.raises(ValidationError) as error:
        services.audit_plan_send(user=manager, audit=audit, today=datetime.date(2026, 7, 6))
    assert "21 juillet 2026" in " ".join(error.value.messages)
    audit.refresh_from_db()
    assert audit.status == AuditStatus.PLANNING


def test_the_plan_needs_an_assigned_auditor_and_its_sites():
    audit = AuditFactory()
    manager = _manager(audit.certification_body)
    problems = services.plan_problems(audit, today=datetime.date(2026, 7, 1))
    assert any("auditeur" in problem for problem in problems)
    assert any("sites" in problem for problem in problems)
    with pytest.raises(ValidationError):
        services.audit_plan_send(user=manager, audit=audit)


def test_a_rescheduled_audit_goes_back_to_planning_until_graded():
    audit = AuditFactory(planned=True)
    manager = _manager(audit.certification_body)
    services.audit_reschedule(user=manager, audit=audit, reason="Grève des transports")
    audit.refresh_from_db()
    assert audit.status == AuditStatus.PLANNING and audit.plan_sent_at is None
    assert audit.log.get(transition="reschedule").reason == "Grève des transports"


# --- The central audit waits for its sampled locals ----------------------------------------------------------------


def test_the_central_audit_starts_only_once_every_sampled_local_has_its_result(login):
    audit, _locals = _central_audit(4)
    body = audit.certification_body
    manager = _manager(body)
    draw = services.audit_draw(user=manager, audit=audit, kind=DrawKind.LOCALS)
    Audit.objects.filter(pk=audit.pk).update(
        status=AuditStatus.PLAN_SENT,
        plan_sent_at=audit.created_at,
        visit_start=datetime.date(2027, 1, 12),
        visit_end=datetime.date(2027, 1, 12),
    )
    auditor = AssignmentFactory(audit=audit).auditor
    client = login(auditor)

    def post():
        checkpoint = audit.grid.checkpoints.first()
        op = {"op": str(uuid.uuid4()), "checkpoint": checkpoint.pk, "points": "1", "base_version": 0}
        return client.post(
            reverse("audits:grade_batch", args=[audit.pk]),
            data=json.dumps({"device": "t", "ops": [op]}),
            content_type="application/json",
        )

    response = post()
    assert response.status_code == 409 and response.json()["code"] == "waiting"
    local_audits = []
    for identifier in draw.selected:
        application = ApplicationFactory(
            contract=audit.application.contract,
            local_service_id=int(identifier),
            central_application=audit.application,
            status=ApplicationStatus.ACKNOWLEDGED,
        )
        local_audits.append(services.audit_create(user=manager, application=application))
    assert all(local.network_audit == audit for local in local_audits)
    for local in local_audits[:-1]:
        _finish(local, AuditStatus.REPORT_SENT)
    assert post().status_code == 409
    last = local_audits[-1]
    _finish(last, AuditStatus.REPORT_SENT)
    assert services.central_audit_blocker(audit) == ""
    assert post().status_code == 200
