"""Audits in every state, built directly (the services are tested on their own in test_services.py)."""

import datetime

import factory
from django.utils import timezone

from audits.enums import AssignmentStatus, AuditScope, AuditStatus, GridKind
from audits.models import Audit, AuditAssignment, AuditGrid, Grade
from candidates.enums import ApplicationStatus
from labelsp.accounts.enums import Role
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.candidates.factories import ApplicationFactory


def local_grid():
    return AuditGrid.objects.current(GridKind.LOCAL)


def central_grid():
    return AuditGrid.objects.current(GridKind.CENTRAL)


class AuditFactory(factory.django.DjangoModelFactory):
    """A local audit of an acknowledged file, being planned. Traits move it along."""

    class Meta:
        model = Audit

    application = factory.SubFactory(ApplicationFactory, status=ApplicationStatus.ACKNOWLEDGED)
    kind = factory.LazyAttribute(lambda o: o.application.kind)
    scope = factory.LazyAttribute(
        lambda o: AuditScope.CENTRAL if o.application.central_service_id else AuditScope.LOCAL
    )
    local_service = factory.LazyAttribute(lambda o: o.application.local_service)
    central_service = factory.LazyAttribute(lambda o: o.application.central_service)
    certification_body = factory.LazyAttribute(lambda o: o.application.certification_body)
    grid = factory.LazyAttribute(lambda o: central_grid() if o.scope == AuditScope.CENTRAL else local_grid())
    status = AuditStatus.PLANNING
    created_by = factory.SubFactory(UserFactory)

    class Params:
        # Plan sent today for a visit in three weeks.
        planned = factory.Trait(
            status=AuditStatus.PLAN_SENT,
            plan_sent_at=factory.LazyFunction(timezone.now),
            visit_start=factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=21)),
            visit_end=factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=22)),
            duration_days=2,
            resource_persons="Mme Responsable qualité",
        )
        in_progress = factory.Trait(
            planned=True,
            status=AuditStatus.IN_PROGRESS,
        )
        # Report sent today (its PDF is not rendered: tests of the report send it through the service).
        reported = factory.Trait(
            planned=True,
            status=AuditStatus.REPORT_SENT,
            closing_meeting_at=factory.LazyFunction(timezone.now),
            closing_summary="Synthèse à chaud présentée au directeur.",
            report_sent_at=factory.LazyFunction(timezone.now),
            report_sha256="0" * 64,
        )


class AssignmentFactory(factory.django.DjangoModelFactory):
    """An auditor of the audit's body, assigned (declaration signed). Pass `auditor` to use an existing one."""

    class Meta:
        model = AuditAssignment

    audit = factory.SubFactory(AuditFactory)
    auditor = factory.LazyAttribute(
        lambda o: MembershipFactory(role=Role.AUDITOR, organisation=o.audit.certification_body).user
    )
    status = AssignmentStatus.ASSIGNED
    proposed_by = factory.SubFactory(UserFactory)
    declared_at = factory.LazyFunction(timezone.now)
    declaration = "Je déclare n’avoir aucun conflit d’intérêts."


def grade_all(audit, points=1.0, *, user=None, except_codes=()):
    """Grade every checkpoint of the audit's grid at `points` (a float, or a dict code → points)."""
    user = user or UserFactory()
    rows = []
    for checkpoint in audit.grid.checkpoints.all():
        if checkpoint.code in except_codes:
            continue
        value = points.get(checkpoint.code, 1.0) if isinstance(points, dict) else points
        rows.append(
            Grade(audit=audit, checkpoint=checkpoint, points=value, updated_by=user, device_id="factory")
        )
    Grade.objects.bulk_create(rows)
    return rows
