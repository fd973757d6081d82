"""After the visit (§3.7.1, §3.9.2): what blocks the report, sending it (a real PDF, stored with its SHA-256, grades
locked), the candidate's 10 days of observations and corrective actions, the auditor's opinion, the closing."""

import datetime
import hashlib
import io
import json
import uuid
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from audits import selectors, services
from audits.enums import AuditStatus, CorrectiveJudgement
from audits.models import Audit, Grade
from candidates.enums import ApplicationStatus
from candidates.models import LocalService
from labelsp.accounts.enums import Role
from labelsp.emails import send_templated_email
from tests.accounts.factories import MembershipFactory
from tests.audits.factories import AssignmentFactory, AuditFactory, grade_all
from tests.candidates.factories import ApplicationFactory, CentralServiceFactory, ServiceContractFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
# The report is sent on Monday 1 March 2027: observations until Thursday 11 March included.
SENT = datetime.datetime(2027, 3, 1, 10, tzinfo=PARIS)
SYNTHESIS = "Accueil exemplaire, pilotage des réclamations à consolider."
REPORT_PARTS = {
    "report_presentation": "Caisse départementale, trois sites, 120 agents.",
    "report_synthesis": SYNTHESIS,
    "report_illustrations": "Affichage des horaires en braille au site principal.",
    "report_strengths": "Formation à l’accueil de tous les agents.",
    "report_improvements": "Mesurer le délai de réponse aux courriels.",
}
# Commitment 1 (1.1–1.4) averages (1 + 0.75 + 0.25 + 0) / 4 = 50; every other checkpoint gets 1.
LOCAL_POINTS = {"1.1": 1.0, "1.2": 0.75, "1.3": 0.25, "1.4": 0.0}


def central_audit(**fields) -> Audit:
    central = CentralServiceFactory(name="Direction nationale des allocations")
    contract = ServiceContractFactory(central_service=central, local_service=None)
    application = ApplicationFactory(
        contract=contract, local_service=None, central_service=central, status=ApplicationStatus.ACKNOWLEDGED
    )
    return AuditFactory(application=application, **fields)


def ready_audit(*, central=False, points=None, **fields):
    """An audit in progress, every checkpoint graded, the closing meeting held and the five parts written: ready
    to send. Returns (audit, assigned auditor)."""
    values = {
        "in_progress": True,
        "closing_meeting_at": timezone.now(),
        "closing_summary": "Restitution à chaud devant la directrice.",
        **REPORT_PARTS,
        **fields,
    }
    audit = central_audit(**values) if central else AuditFactory(**values)
    auditor = AssignmentFactory(audit=audit, is_lead=True).auditor
    grade_all(audit, LOCAL_POINTS if points is None else points, user=auditor)
    return audit, auditor


def staff_of(audit):
    """A member of the audited service's staff (candidate or central role)."""
    if audit.is_central:
        return MembershipFactory(role=Role.CENTRAL, organisation=audit.central_service).user
    return MembershipFactory(role=Role.CANDIDATE, organisation=audit.local_service).user


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    # Words may be split across lines in the layout: compare on single spaces.
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def send(audit, auditor, when=SENT):
    with time_machine.travel(when, tick=False):
        return services.audit_report_send(user=auditor, audit=audit)


# --- What blocks sending -------------------------------------------------------------------------------------------


def test_report_problems_lists_missing_grades_closing_meeting_and_parts():
    audit = AuditFactory(in_progress=True)
    grade_all(audit, 1.0, except_codes=("1.2", "8.1"))
    problems = services.report_problems(audit, selectors.grade_points_by_code(audit))
    assert problems[0] == "Notez chaque point de contrôle (2 sans note : 1.2, 8.1)."
    assert "Enregistrez la synthèse de la réunion de clôture." in problems
    assert "Rédigez la partie « synthèse » du rapport." in problems
    assert len(problems) == 2 + 5


def test_report_problems_is_empty_for_a_ready_audit():
    audit, _auditor = ready_audit()
    assert services.report_problems(audit, selectors.grade_points_by_code(audit)) == []


def test_report_save_is_for_the_assigned_auditors_only():
    audit, auditor = ready_audit()
    manager = MembershipFactory(role=Role.CB_MANAGER, organisation=audit.certification_body).user
    with pytest.raises(PermissionDenied):
        services.audit_report_save(user=manager, audit=audit, report_synthesis="Autre")
    services.audit_report_save(user=auditor, audit=audit, **{**REPORT_PARTS, "report_synthesis": "  Revue  "})
    audit.refresh_from_db()
    assert audit.report_synthesis == "Revue"


# --- Sending ------------------------------------------------------------------------------------------------------


def test_sending_stores_a_real_pdf_with_its_sha256_and_scores(django_capture_on_commit_callbacks):
    audit, auditor = ready_audit()
    staff = staff_of(audit)
    with django_capture_on_commit_callbacks(execute=True):
        send(audit, auditor)
    audit.refresh_from_db()
    assert audit.status == AuditStatus.REPORT_SENT
    assert audit.report_sent_at == SENT
    with audit.report_pdf.open("rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF")
    assert audit.report_sha256 == hashlib.sha256(data).hexdigest()
    text = pdf_text(data)
    assert SYNTHESIS in text
    assert audit.local_service.name in text
    assert auditor.get_full_name() in text
    # Commitment 1 scores 50; the others 100; the « Or » criteria 100.
    assert "Engagement 1" in text and " 50 " in text
    assert "1 mars 2027" in text
    assert "Projet de rapport" not in text
    # Each checkpoint with its grade: 1.3 was graded 0,25.
    assert "0,25" in text and "0,75" in text
    # The candidate is told, with a link to answer.
    [message] = mail.outbox
    assert message.to == [staff.email]
    assert reverse("audits:report_answer", args=[audit.pk]) in message.body


def test_a_central_report_shows_the_share_validated_and_the_result():
    points = {code: 1.0 for code in ("C1.1", "C1.2", "C1.3", "C2.1", "C2.2", "C2.3", "C3.1")}
    audit, auditor = ready_audit(central=True, points={**points, "C3.2": 0.0, "C3.3": 0.0, "C3.4": 0.0})
    send(audit, auditor)
    audit.refresh_from_db()
    with audit.report_pdf.open("rb") as handle:
        text = pdf_text(handle.read())
    assert "7 points de contrôle validés sur 10" in text
    assert "70 % validés" in text
    assert "Audit non réussi" in text
    assert "Non" in text and "Oui" in text


def test_sending_locks_the_grades(login):
    audit, auditor = ready_audit()
    send(audit, auditor)
    checkpoint = audit.grid.checkpoints.get(code="1.4")
    response = login(auditor).post(
        reverse("audits:grade_batch", args=[audit.pk]),
        data=json.dumps(
            {
                "device": "tablette-1",
                "ops": [
                    {"op": str(uuid.uuid4()), "checkpoint": checkpoint.pk, "points": "1", "base_version": 1}
                ],
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 423
    assert Grade.objects.get(audit=audit, checkpoint=checkpoint).points == 0


def test_sending_is_refused_while_something_is_missing():
    audit, auditor = ready_audit(report_synthesis="")
    with pytest.raises(ValidationError) as error:
        send(audit, auditor)
    assert error.value.messages == ["Rédigez la partie « synthèse » du rapport."]
    audit.refresh_from_db()
    assert (audit.status, audit.report_sent_at, audit.report_pdf.name) == (AuditStatus.IN_PROGRESS, None, "")


def test_a_report_is_sent_once():
    audit, auditor = ready_audit()
    send(audit, auditor)
    with pytest.raises(ValidationError) as error:
        send(Audit.objects.get(pk=audit.pk), auditor)
    assert "Seul un audit en cours peut donner lieu à l’envoi du rapport." in error.value.messages


# --- Observations (10 days, never a grade) ------------------------------------------------------------------------


def test_observations_are_accepted_until_the_tenth_day_and_refused_on_the_eleventh():
    audit, auditor = ready_audit()
    staff = staff_of(audit)
    send(audit, auditor)
    audit.refresh_from_db()
    with time_machine.travel(datetime.datetime(2027, 3, 11, 23, 30, tzinfo=PARIS), tick=False):
        services.observation_add(user=staff, audit=audit, text="Le site annexe était fermé ce jour-là.")
    with (
        time_machine.travel(datetime.datetime(2027, 3, 12, 0, 30, tzinfo=PARIS), tick=False),
        pytest.raises(ValidationError) as error,
    ):
        services.observation_add(user=staff, audit=audit, text="Trop tard.")
    assert error.value.message_dict == {
        "text": ["Le délai de 10 jours pour formuler des observations est écoulé."]
    }
    assert [o.text for o in audit.observations.all()] == ["Le site annexe était fermé ce jour-là."]


def test_observations_never_change_a_grade():
    audit, auditor = ready_audit()
    send(audit, auditor)
    audit.refresh_from_db()
    before = list(Grade.objects.filter(audit=audit).order_by("pk").values_list("points", "version"))
    with time_machine.travel(SENT + datetime.timedelta(days=2), tick=False):
        services.observation_add(user=staff_of(audit), audit=audit, text="Le point 1.4 mérite 1.")
    assert list(Grade.objects.filter(audit=audit).order_by("pk").values_list("points", "version")) == before


def test_only_the_audited_service_sends_observations():
    audit, auditor = ready_audit()
    send(audit, auditor)
    audit.refresh_from_db()
    # The head of the audited service's network reads its audits but does not answer for it.
    network = CentralServiceFactory()
    LocalService.objects.filter(pk=audit.local_service_id).update(
        parent=network, parent_confirmed_at=timezone.now()
    )
    central_staff = MembershipFactory(role=Role.CENTRAL, organisation=network).user
    assert Audit.objects.for_user(central_staff).filter(pk=audit.pk).exists()
    with time_machine.travel(SENT, tick=False):
        for user in (auditor, central_staff):
            with pytest.raises(PermissionDenied):
                services.observation_add(user=user, audit=audit, text="Non.")


# --- Corrective actions (central audit) ---------------------------------------------------------------------------


@pytest.fixture
def central_sent():
    audit, auditor = ready_audit(central=True, points={"C3.4": 0.0, "C3.3": 0.0})
    send(audit, auditor)
    audit.refresh_from_db()
    return audit, auditor, staff_of(audit)


def test_a_corrective_action_is_only_for_a_checkpoint_graded_no(central_sent):
    audit, _auditor, staff = central_sent
    validated = audit.grid.checkpoints.get(code="C1.1")
    failed = audit.grid.checkpoints.get(code="C3.4")
    with time_machine.travel(SENT + datetime.timedelta(days=3), tick=False):
        with pytest.raises(ValidationError) as error:
            services.corrective_action_propose(
                user=staff, audit=audit, checkpoint_id=validated.pk, proposal="Rien à faire."
            )
        assert error.value.message_dict == {"checkpoint": ["Choisissez un point de contrôle non validé."]}
        action = services.corrective_action_propose(
            user=staff, audit=audit, checkpoint_id=failed.pk, proposal="Nommer un correspondant par région."
        )
    assert (action.checkpoint, action.judgement) == (failed, CorrectiveJudgement.PENDING)


def test_a_local_audit_has_no_corrective_actions():
    audit, auditor = ready_audit(points={"1.1": 0.0})
    send(audit, auditor)
    audit.refresh_from_db()
    with time_machine.travel(SENT, tick=False), pytest.raises(PermissionDenied):
        services.corrective_action_propose(
            user=staff_of(audit),
            audit=audit,
            checkpoint_id=audit.grid.checkpoints.get(code="1.1").pk,
            proposal="Former les agents.",
        )


def test_corrective_actions_close_with_the_observations(central_sent):
    audit, _auditor, staff = central_sent
    with time_machine.travel(SENT + datetime.timedelta(days=11), tick=False), pytest.raises(ValidationError):
        services.corrective_action_propose(
            user=staff,
            audit=audit,
            checkpoint_id=audit.grid.checkpoints.get(code="C3.4").pk,
            proposal="Tard.",
        )


def test_the_assigned_auditor_judges_with_a_reason_and_the_grade_stays(central_sent):
    audit, auditor, staff = central_sent
    checkpoint = audit.grid.checkpoints.get(code="C3.4")
    with time_machine.travel(SENT, tick=False):
        action = services.corrective_action_propose(
            user=staff, audit=audit, checkpoint_id=checkpoint.pk, proposal="Publier la feuille de route."
        )
    manager = MembershipFactory(role=Role.CB_MANAGER, organisation=audit.certification_body).user
    with pytest.raises(PermissionDenied):
        services.corrective_action_judge(user=manager, action=action, accepted=True, comment="Oui")
    with pytest.raises(ValidationError) as error:
        services.corrective_action_judge(user=auditor, action=action, accepted=True, comment=" ")
    assert "judgement_comment" in error.value.message_dict
    services.corrective_action_judge(user=auditor, action=action, accepted=False, comment="Sans échéance.")
    action.refresh_from_db()
    assert (action.judgement, action.judgement_comment, action.judged_by) == (
        CorrectiveJudgement.REJECTED,
        "Sans échéance.",
        auditor,
    )
    assert Grade.objects.get(audit=audit, checkpoint=checkpoint).points == 0
    with pytest.raises(ValidationError):
        services.corrective_action_judge(
            user=auditor, action=action, accepted=True, comment="Finalement oui."
        )


# --- Sending the file on for decision ------------------------------------------------------------------------------


def test_closing_waits_for_the_ten_days(central_sent):
    audit, auditor, _staff = central_sent
    with (
        time_machine.travel(datetime.datetime(2027, 3, 11, 18, tzinfo=PARIS), tick=False),
        pytest.raises(ValidationError) as error,
    ):
        services.audit_close(user=auditor, audit=audit)
    assert error.value.messages == ["Le candidat peut encore répondre au rapport jusqu’au 11 mars 2027."]
    with time_machine.travel(datetime.datetime(2027, 3, 12, 9, tzinfo=PARIS), tick=False):
        services.audit_close(user=auditor, audit=audit)
    audit.refresh_from_db()
    assert audit.status == AuditStatus.CLOSED and audit.closed_at is not None


def test_closing_waits_for_every_corrective_action_to_be_judged(central_sent):
    audit, auditor, staff = central_sent
    with time_machine.travel(SENT, tick=False):
        action = services.corrective_action_propose(
            user=staff,
            audit=audit,
            checkpoint_id=audit.grid.checkpoints.get(code="C3.3").pk,
            proposal="Animer un réseau de référents.",
        )
    with time_machine.travel(SENT + datetime.timedelta(days=15), tick=False):
        with pytest.raises(ValidationError) as error:
            services.audit_close(user=auditor, audit=audit)
        assert error.value.messages == ["Donnez votre avis sur chaque action corrective proposée."]
        services.corrective_action_judge(user=auditor, action=action, accepted=True, comment="Pertinente.")
        manager = MembershipFactory(role=Role.CB_MANAGER, organisation=audit.certification_body).user
        services.audit_close(user=manager, audit=audit)
    assert Audit.objects.get(pk=audit.pk).status == AuditStatus.CLOSED


# --- The audit e-mails ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "subject", "body"),
    [
        ("audit_assignment_proposed", "Proposition d’audit", "conflit d’intérêts"),
        ("audit_plan_sent", "Plan d’audit de", "/plan.pdf"),
        ("audit_rescheduled", "est reprogrammé", "Grève des transports"),
        ("audit_report_sent", "Rapport d’audit de", "10 jours"),
    ],
)
def test_audit_emails_render_in_text_and_html(template, subject, body):
    audit = AuditFactory(planned=True)
    send_templated_email(
        to=["x@exemple.gouv.fr"],
        template=template,
        context={"audit": audit, "reason": "Grève des transports"},
    )
    [message] = mail.outbox
    assert subject in message.subject and audit.candidate.name in message.subject
    assert body in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and body in html
    assert "{%" not in message.body and "{{" not in html
