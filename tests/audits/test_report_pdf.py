"""The audit plan (§3.6) and the report (§3.7.1) as PDFs: really rendered, their text read back with pypdf; the
report preview is for the audit team only, the stored report for whoever sees the audit once sent."""

import datetime
import hashlib

import pytest
import time_machine
from django.urls import reverse

from audits.enums import AssignmentStatus, AuditStatus, DrawKind
from audits.models import Audit, SamplingDraw
from labelsp.accounts.enums import Role
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.audits.factories import AssignmentFactory, AuditFactory
from tests.audits.test_services_report import PARIS, SYNTHESIS, central_audit, pdf_text, ready_audit, staff_of
from tests.candidates.factories import SiteFactory

pytestmark = pytest.mark.django_db

# The plan is sent on Monday 2 November 2027; with 11 November a holiday, the earliest visit is 17 November.
PLAN_SENT = datetime.datetime(2027, 11, 2, 9, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def _plan_day():
    with time_machine.travel(PLAN_SENT, tick=False):
        yield


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _planned_audit():
    audit = AuditFactory(
        planned=True,
        visit_start=datetime.date(2027, 11, 23),
        visit_end=datetime.date(2027, 11, 24),
        duration_days=2,
        resource_persons="Mme Claire Martin, responsable qualité",
        agenda="9 h : réunion d’ouverture\n14 h : visite de l’accueil",
    )
    lead = AssignmentFactory(
        audit=audit, is_lead=True, auditor=UserFactory(first_name="Inès", last_name="Roux")
    )
    MembershipFactory(user=lead.auditor, role=Role.AUDITOR, organisation=audit.certification_body)
    AssignmentFactory(audit=audit, auditor=UserFactory(first_name="Paul", last_name="Blanc"))
    # A proposed auditor who has not signed the declaration is not on the plan.
    AssignmentFactory(
        audit=audit,
        status=AssignmentStatus.PROPOSED,
        declared_at=None,
        auditor=UserFactory(first_name="Zoé", last_name="Absente"),
    )
    audit.sites.set([SiteFactory(local_service=audit.local_service, name="Agence de Lyon-Part-Dieu")])
    return audit, lead.auditor


def test_the_plan_pdf_lists_dates_auditors_sites_and_the_notice(login):
    audit, _lead = _planned_audit()
    response = login(staff_of(audit)).get(reverse("audits:plan_pdf", args=[audit.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(_body(response))
    assert "du mardi 23 novembre 2027 au mercredi 24 novembre 2027" in text
    assert "Inès Roux (responsable d’audit)" in text and "Paul Blanc" in text
    assert "Zoé Absente" not in text
    assert "Agence de Lyon-Part-Dieu" in text
    assert "Mme Claire Martin, responsable qualité" in text
    assert "réunion d’ouverture" in text
    assert audit.certification_body.name in text and audit.local_service.name in text
    assert "au plus tard 10 jours ouvrés avant" in text
    assert "Envoyé le 2 novembre 2027, il permet une visite à partir du 17 novembre 2027." in text
    assert "version 1" in text
    assert "Projet de plan" not in text


def test_a_draft_plan_is_for_the_body_only(login):
    audit = AuditFactory(visit_start=datetime.date(2027, 12, 1), visit_end=datetime.date(2027, 12, 1))
    manager = MembershipFactory(role=Role.CB_MANAGER, organisation=audit.certification_body).user
    response = login(manager).get(reverse("audits:plan_pdf", args=[audit.pk]))
    text = pdf_text(_body(response))
    assert "Projet de plan d’audit" in text and "Aucun auditeur affecté" in text
    assert login(staff_of(audit)).get(reverse("audits:plan_pdf", args=[audit.pk])).status_code == 404


def test_a_central_plan_lists_the_locals_drawn(login):
    audit = central_audit(planned=True)
    SamplingDraw.objects.create(
        audit=audit,
        kind=DrawKind.LOCALS,
        seed="abc",
        population=[["1", "CAF de l’Ain"], ["2", "CAF de l’Aisne"]],
        size=1,
        selected=["2"],
        drawn_by=UserFactory(),
    )
    manager = MembershipFactory(role=Role.CB_MANAGER, organisation=audit.certification_body).user
    text = pdf_text(_body(login(manager).get(reverse("audits:plan_pdf", args=[audit.pk]))))
    assert "CAF de l’Aisne" in text and "CAF de l’Ain," not in text


@pytest.mark.parametrize("who", ["auditor", "manager"])
def test_the_team_previews_the_draft_report(login, who):
    audit, auditor = ready_audit()
    user = (
        auditor
        if who == "auditor"
        else MembershipFactory(role=Role.CB_MANAGER, organisation=audit.certification_body).user
    )
    response = login(user).get(reverse("audits:report_pdf", args=[audit.pk]))
    assert response.status_code == 200
    text = pdf_text(_body(response))
    assert "Projet de rapport" in text and "Non envoyé (projet)" in text
    assert SYNTHESIS in text
    audit.refresh_from_db()
    assert audit.status == AuditStatus.IN_PROGRESS and not audit.report_pdf


@pytest.mark.parametrize("who", ["candidate", "ditp", "proposed_auditor"])
def test_no_one_else_sees_the_report_before_it_is_sent(login, who):
    audit, _auditor = ready_audit()
    user = {
        "candidate": lambda: staff_of(audit),
        "ditp": lambda: MembershipFactory(role=Role.DITP, user=UserFactory(is_staff=True)).user,
        # Proposed, but without the no-conflict declaration signed: not (yet) of the team.
        "proposed_auditor": lambda: (
            AssignmentFactory(audit=audit, status=AssignmentStatus.PROPOSED, declared_at=None).auditor
        ),
    }[who]()
    # They see the audit itself; only its report does not exist for them yet.
    assert Audit.objects.for_user(user).filter(pk=audit.pk).exists()
    assert login(user).get(reverse("audits:report_pdf", args=[audit.pk])).status_code == 404


def test_once_sent_everyone_who_sees_the_audit_gets_the_stored_report(login):
    audit, auditor = ready_audit()
    client = login(auditor)
    assert client.post(reverse("audits:report_send", args=[audit.pk])).status_code == 302
    audit.refresh_from_db()
    with time_machine.travel(PLAN_SENT + datetime.timedelta(days=2), tick=False):
        response = login(staff_of(audit)).get(reverse("audits:report_pdf", args=[audit.pk]))
    assert response.status_code == 200
    data = _body(response)
    # The very file sent, not a new rendering.
    assert hashlib.sha256(data).hexdigest() == audit.report_sha256
    text = pdf_text(data)
    assert "Projet de rapport" not in text and "Rapport envoyé le 2 novembre 2027" in text
    assert response["Content-Disposition"].startswith("attachment")
