"""The pages after the visit (audits/views/report.py): writing and sending the report, the candidate's answers,
the auditor's opinion on corrective actions, sending the file on for decision."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from audits.enums import AuditStatus, CorrectiveJudgement
from audits.models import Audit, CorrectiveAction, Grade
from candidates.models import LocalService
from labelsp.accounts.enums import Role
from tests.accounts.factories import MembershipFactory
from tests.audits.factories import AssignmentFactory, AuditFactory, grade_all
from tests.audits.test_services_report import PARIS, SENT, SYNTHESIS, ready_audit, send, staff_of
from tests.candidates.factories import CentralServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _day_before_sending():
    """The clock stands the day before SENT: the tests move it days ahead (sessions last two weeks)."""
    with time_machine.travel(SENT - datetime.timedelta(days=1), tick=False):
        yield


def _edit_url(audit):
    return reverse("audits:report_edit", args=[audit.pk])


def _answer_url(audit):
    return reverse("audits:report_answer", args=[audit.pk])


def _sent(central=False, points=None):
    audit, auditor = ready_audit(central=central, points=points)
    send(audit, auditor)
    audit.refresh_from_db()
    return audit, auditor, staff_of(audit)


# --- Writing the report --------------------------------------------------------------------------------------------


def test_the_report_page_shows_scores_deadline_late_badge_and_what_blocks(login):
    today = timezone.localdate()
    audit = AuditFactory(
        in_progress=True,
        visit_start=today - datetime.timedelta(days=31),
        visit_end=today - datetime.timedelta(days=30),
        report_synthesis="Déjà rédigée.",
    )
    auditor = AssignmentFactory(audit=audit).auditor
    grade_all(audit, {"1.1": 0.25, "1.2": 0.75, "1.3": 1.0, "1.4": 1.0}, except_codes=("8.2",))
    response = login(auditor).get(_edit_url(audit))
    assert response.status_code == 200
    page = response.content.decode()
    due = today - datetime.timedelta(days=9)
    assert response.context["due"] == due and response.context["late"] is True
    assert "En retard" in page
    # Commitment 1: (0.25 + 0.75 + 1 + 1) / 4 = 75; commitment 8 has no score while 8.2 is ungraded.
    rows = {row["section"].code: row["score"] for row in response.context["scores"]["sections"]}
    assert rows["1"] == 75 and rows["8"] is None
    assert "Notez chaque point de contrôle (1 sans note : 8.2)." in page
    assert "Enregistrez la synthèse de la réunion de clôture." in page
    assert "Rédigez la partie « points forts » du rapport." in page
    assert "Rédigez la partie « synthèse » du rapport." not in page
    assert "Déjà rédigée." in page
    assert 'class="fr-btn" disabled' in page


def test_a_report_on_time_has_no_late_badge(login):
    audit, auditor = ready_audit()
    response = login(auditor).get(_edit_url(audit))
    assert response.context["late"] is False and "En retard" not in response.content.decode()
    assert response.context["problems"] == []
    assert "Restitution à chaud devant la directrice." in response.content.decode()


def test_the_auditor_saves_the_five_parts(login):
    audit, auditor = ready_audit()
    data = {
        "report_presentation": "Présentation",
        "report_synthesis": "Nouvelle synthèse",
        "report_illustrations": "Illustrations",
        "report_strengths": "Forces",
        "report_improvements": "",
    }
    response = login(auditor).post(_edit_url(audit), data)
    assert response.status_code == 302 and response["Location"] == _edit_url(audit)
    audit.refresh_from_db()
    assert (audit.report_synthesis, audit.report_improvements) == ("Nouvelle synthèse", "")


def test_a_too_long_part_is_refused_next_to_its_field(login):
    audit, auditor = ready_audit()
    response = login(auditor).post(_edit_url(audit), {"report_synthesis": "x" * 10_001})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_report_synthesis-error"' in page
    audit.refresh_from_db()
    assert audit.report_synthesis == SYNTHESIS


def test_a_sent_report_no_longer_changes(login):
    audit, auditor, _staff = _sent()
    client = login(auditor)
    page = client.get(_edit_url(audit)).content.decode()
    assert "Rapport envoyé le" in page and 'name="report_synthesis"' not in page
    response = client.post(_edit_url(audit), {"report_synthesis": "Réécrite"})
    assert "Le rapport est envoyé : il ne change plus." in response.content.decode()
    assert Audit.objects.get(pk=audit.pk).report_synthesis == SYNTHESIS


@pytest.mark.parametrize(("who", "status"), [("manager", 403), ("candidate", 403), ("other_body", 404)])
def test_only_the_assigned_auditor_writes_the_report(login, who, status):
    audit, _auditor = ready_audit()
    if who == "manager":
        user = MembershipFactory(role=Role.CB_MANAGER, organisation=audit.certification_body).user
    elif who == "candidate":
        user = staff_of(audit)
    else:
        user = MembershipFactory(role=Role.AUDITOR).user
    client = login(user)
    assert client.get(_edit_url(audit)).status_code == status
    assert client.post(reverse("audits:report_send", args=[audit.pk])).status_code == status
    assert Audit.objects.get(pk=audit.pk).status == AuditStatus.IN_PROGRESS


def test_sending_an_incomplete_report_shows_why(login):
    audit, auditor = ready_audit(closing_meeting_at=None, report_strengths="")
    response = login(auditor).post(reverse("audits:report_send", args=[audit.pk]), follow=True)
    assert response.redirect_chain == [(_edit_url(audit), 302)]
    page = response.content.decode()
    assert "Enregistrez la synthèse de la réunion de clôture." in page
    assert "Rédigez la partie « points forts » du rapport." in page
    assert Audit.objects.get(pk=audit.pk).status == AuditStatus.IN_PROGRESS


def test_sending_the_report(login):
    audit, auditor = ready_audit()
    response = login(auditor).post(reverse("audits:report_send", args=[audit.pk]), follow=True)
    assert response.redirect_chain == [(_answer_url(audit), 302)]
    assert "les notes sont désormais verrouillées" in response.content.decode()
    audit.refresh_from_db()
    assert audit.status == AuditStatus.REPORT_SENT and audit.report_pdf.name


# --- The candidate answers -----------------------------------------------------------------------------------------


def test_the_candidate_reads_the_report_and_sends_observations(login):
    audit, _auditor, staff = _sent()
    client = login(staff)
    with time_machine.travel(SENT + datetime.timedelta(days=3), tick=False):
        page = client.get(_answer_url(audit)).content.decode()
        assert reverse("audits:report_pdf", args=[audit.pk]) in page
        assert "11 mars 2027" in page
        assert "ne modifient jamais les notes" in page
        response = client.post(_answer_url(audit), {"text": "Le site annexe était en travaux."})
    assert response.status_code == 302
    observation = audit.observations.get()
    assert (observation.text, observation.author) == ("Le site annexe était en travaux.", staff)
    page = client.get(_answer_url(audit)).content.decode()
    assert "Le site annexe était en travaux." in page and str(staff) in page


def test_empty_or_late_observations_are_refused_next_to_the_field(login):
    audit, _auditor, staff = _sent()
    client = login(staff)
    with time_machine.travel(SENT, tick=False):
        response = client.post(_answer_url(audit), {"text": "  "})
    assert 'id="id_text-error"' in response.content.decode()
    with time_machine.travel(datetime.datetime(2027, 3, 12, 8, tzinfo=PARIS), tick=False):
        assert 'name="text"' not in client.get(_answer_url(audit)).content.decode()
        response = client.post(_answer_url(audit), {"text": "Trop tard"})
    page = response.content.decode()
    assert response.status_code == 200
    assert (
        'id="id_text-error"' in page
        and "Le délai de 10 jours pour formuler des observations est écoulé." in page
    )
    assert not audit.observations.exists()


@pytest.mark.parametrize("who", ["auditor", "central", "manager"])
def test_only_the_audited_service_sends_observations(login, who):
    audit, auditor, _staff = _sent()
    network = CentralServiceFactory()
    LocalService.objects.filter(pk=audit.local_service_id).update(
        parent=network, parent_confirmed_at=timezone.now()
    )
    user = {
        "auditor": auditor,
        "central": MembershipFactory(role=Role.CENTRAL, organisation=network).user,
        "manager": MembershipFactory(role=Role.CB_MANAGER, organisation=audit.certification_body).user,
    }[who]
    client = login(user)
    with time_machine.travel(SENT, tick=False):
        assert client.get(_answer_url(audit)).status_code == 200
        assert client.post(_answer_url(audit), {"text": "Non"}).status_code == 403
    assert not audit.observations.exists()


def test_the_candidate_sees_nothing_before_the_report_is_sent(login):
    audit, _auditor = ready_audit()
    page = login(staff_of(audit)).get(_answer_url(audit)).content.decode()
    assert "pas encore été envoyé" in page and SYNTHESIS not in page
    assert reverse("audits:report_pdf", args=[audit.pk]) not in page


# --- Corrective actions (central audit) ---------------------------------------------------------------------------


def test_a_central_candidate_proposes_a_corrective_action_on_a_checkpoint_graded_no(login):
    audit, _auditor, staff = _sent(central=True, points={"C3.4": 0.0})
    failed = audit.grid.checkpoints.get(code="C3.4")
    client = login(staff)
    with time_machine.travel(SENT, tick=False):
        form = client.get(_answer_url(audit)).context["action_form"]
        assert [value for value, _label in form.fields["checkpoint"].choices] == ["", failed.pk]
        url = reverse("audits:corrective_action_propose", args=[audit.pk])
        validated = audit.grid.checkpoints.get(code="C1.1")
        response = client.post(url, {"checkpoint": validated.pk, "proposal": "Rien"})
        assert 'id="id_checkpoint-error"' in response.content.decode()
        response = client.post(url, {"checkpoint": failed.pk, "proposal": "Publier la feuille de route."})
        assert response.status_code == 302
        page = client.get(_answer_url(audit)).content.decode()
    action = CorrectiveAction.objects.get(audit=audit)
    assert (action.checkpoint, action.proposed_by) == (failed, staff)
    assert "Publier la feuille de route." in page and "À examiner par l’auditeur" in page
    # Every checkpoint graded « non » has its action: nothing left to propose.
    assert 'name="proposal"' not in page


def test_a_local_candidate_cannot_propose_corrective_actions(login):
    audit, _auditor, staff = _sent(points={"1.1": 0.0})
    client = login(staff)
    with time_machine.travel(SENT, tick=False):
        assert client.get(_answer_url(audit)).context["action_form"] is None
        response = client.post(
            reverse("audits:corrective_action_propose", args=[audit.pk]),
            {"checkpoint": audit.grid.checkpoints.get(code="1.1").pk, "proposal": "Former"},
        )
    assert response.status_code == 403


@pytest.fixture
def proposed(login):
    audit, auditor, staff = _sent(central=True, points={"C3.4": 0.0})
    with time_machine.travel(SENT, tick=False):
        login(staff).post(
            reverse("audits:corrective_action_propose", args=[audit.pk]),
            {"checkpoint": audit.grid.checkpoints.get(code="C3.4").pk, "proposal": "Nommer des référents."},
        )
    return audit, auditor, CorrectiveAction.objects.get(audit=audit)


def test_the_auditor_judges_a_corrective_action_with_a_reason(login, proposed):
    audit, auditor, action = proposed
    client = login(auditor)
    url = reverse("audits:corrective_action_judge", args=[action.pk])
    prefix = f"action-{action.pk}"
    assert f'name="{prefix}-judgement_comment"' in client.get(_answer_url(audit)).content.decode()
    response = client.post(url, {f"{prefix}-judgement": "reject", f"{prefix}-judgement_comment": ""})
    assert response.status_code == 200
    assert f'id="id_{prefix}-judgement_comment-error"' in response.content.decode()
    response = client.post(
        url, {f"{prefix}-judgement": "reject", f"{prefix}-judgement_comment": "Sans échéance."}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.judgement, action.judgement_comment) == (CorrectiveJudgement.REJECTED, "Sans échéance.")
    page = client.get(_answer_url(audit)).content.decode()
    assert "Refusée" in page and "Sans échéance." in page
    assert f'name="{prefix}-judgement_comment"' not in page
    assert Grade.objects.get(audit=audit, checkpoint=action.checkpoint).points == 0


@pytest.mark.parametrize(("who", "status"), [("manager", 403), ("staff", 403), ("other_body", 404)])
def test_only_the_assigned_auditor_judges(login, proposed, who, status):
    audit, _auditor, action = proposed
    user = {
        "manager": lambda: (
            MembershipFactory(role=Role.CB_MANAGER, organisation=audit.certification_body).user
        ),
        "staff": lambda: staff_of(audit),
        "other_body": lambda: MembershipFactory(role=Role.AUDITOR).user,
    }[who]()
    prefix = f"action-{action.pk}"
    response = login(user).post(
        reverse("audits:corrective_action_judge", args=[action.pk]),
        {f"{prefix}-judgement": "accept", f"{prefix}-judgement_comment": "Oui"},
    )
    assert response.status_code == status
    action.refresh_from_db()
    assert action.judgement == CorrectiveJudgement.PENDING


# --- Sending the file on for decision ------------------------------------------------------------------------------


def test_closing_is_blocked_while_the_ten_days_run_then_allowed(login):
    audit, auditor, _staff = _sent()
    client = login(auditor)
    url = reverse("audits:audit_close", args=[audit.pk])
    with time_machine.travel(SENT + datetime.timedelta(days=5), tick=False):
        response = client.post(url, follow=True)
    assert "Le candidat peut encore répondre au rapport jusqu’au 11 mars 2027." in response.content.decode()
    assert Audit.objects.get(pk=audit.pk).status == AuditStatus.REPORT_SENT
    with time_machine.travel(SENT + datetime.timedelta(days=11), tick=False):
        response = client.post(url, follow=True)
    assert response.redirect_chain == [(_answer_url(audit), 302)]
    assert "transmis à l’organisme de certification pour décision" in response.content.decode()
    assert Audit.objects.get(pk=audit.pk).status == AuditStatus.CLOSED


def test_closing_is_blocked_while_a_corrective_action_waits(login, proposed):
    audit, _auditor, _action = proposed
    manager = MembershipFactory(role=Role.CB_MANAGER, organisation=audit.certification_body).user
    with time_machine.travel(SENT + datetime.timedelta(days=20), tick=False):
        response = login(manager).post(reverse("audits:audit_close", args=[audit.pk]), follow=True)
    assert "Donnez votre avis sur chaque action corrective proposée." in response.content.decode()
    assert Audit.objects.get(pk=audit.pk).status == AuditStatus.REPORT_SENT


def test_the_candidate_cannot_close(login):
    audit, _auditor, staff = _sent()
    with time_machine.travel(SENT + datetime.timedelta(days=20), tick=False):
        assert login(staff).post(reverse("audits:audit_close", args=[audit.pk])).status_code == 403
    assert Audit.objects.get(pk=audit.pk).status == AuditStatus.REPORT_SENT


def test_a_central_report_page_shows_the_share_validated(login):
    audit, auditor = ready_audit(central=True, points={"C1.1": 0.0, "C1.2": 0.0})
    page = login(auditor).get(_edit_url(audit)).content.decode()
    assert "8 points de contrôle validés sur 10." in page
    assert "Part validée : 80 %." in page and "Seuil de 75 % atteint" in page
