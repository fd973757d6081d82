"""The auditor's tablet pages: the grading screen, the closing meeting, the manifest and the service worker
(audits/views/grading.py). The offline journey in a real browser is in test_browser_grading.py."""

import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from audits.enums import AuditStatus
from audits.models import Audit, AuditLog
from candidates.enums import ApplicationKind, ApplicationOutcome, ApplicationStatus
from candidates.models import Application
from labelsp.accounts.enums import Role
from tests.accounts.factories import MembershipFactory
from tests.audits.factories import AssignmentFactory, AuditFactory, central_grid, grade_all
from tests.candidates.factories import ApplicationFactory, CentralServiceFactory, ServiceContractFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def audit():
    return AuditFactory(in_progress=True)


@pytest.fixture
def auditor(audit):
    return AssignmentFactory(audit=audit).auditor


def _section(html, code):
    """The opening tag of a section of the page."""
    return re.search(rf'<section class="grading-section" id="partie-{re.escape(code)}"[^>]*>', html).group(0)


def test_the_assigned_auditor_sees_one_commitment_with_its_grade_buttons(audit, auditor, login):
    checkpoints = list(audit.grid.checkpoints.filter(section__code="2").order_by("position"))
    grade_all(
        audit, 0.25, except_codes=[c.code for c in audit.grid.checkpoints.exclude(pk=checkpoints[0].pk)]
    )
    response = login(auditor).get(reverse("audits:grading", args=[audit.pk]), {"partie": "2"})
    assert response.status_code == 200
    html = response.content.decode()
    # The asked commitment is shown, the others are in the page (for offline use) but hidden.
    assert "hidden" not in _section(html, "2")
    assert "hidden" in _section(html, "1") and "hidden" in _section(html, "or")
    assert html.count('class="grading-button"') == 4 * audit.grid.checkpoints.count()
    for label in ("Non satisfait", "Initié", "Majoritairement satisfait", "Totalement satisfait et appliqué"):
        assert label in html
    # The graded checkpoint carries its version and its value pressed; an ungraded one version 0.
    graded = re.search(rf'id="point-{checkpoints[0].pk}"[^>]*>', html, re.S).group(0)
    assert 'data-version="1"' in graded and 'data-points="0.25"' in graded
    ungraded = re.search(rf'id="point-{checkpoints[1].pk}"[^>]*>', html, re.S).group(0)
    assert 'data-version="0"' in ungraded and 'data-points=""' in ungraded
    assert 'data-points="0.25" data-label="0,25" aria-pressed="true"' in html
    # Running score of commitment 2: one checkpoint graded 0.25 of four.
    assert re.search(r">25/100</strong>\s*\(<span data-role=\"score-count\">1/4</span>", html)
    assert 'capture="environment"' in html
    assert reverse("audits:closing_meeting", args=[audit.pk]) in html
    assert reverse("audits:service_worker") in html and reverse("audits:manifest") in html
    assert 'name="csrf-token"' in html


def test_an_unknown_section_shows_the_first(audit, auditor, login):
    html = login(auditor).get(reverse("audits:grading", args=[audit.pk]), {"partie": "zz"}).content.decode()
    assert "hidden" not in _section(html, "1")
    assert "hidden" in _section(html, "2")


def test_a_follow_up_highlights_what_the_previous_audit_graded_below_075(login):
    previous = AuditFactory(reported=True)
    grade_all(previous, {"1.1": 0.25, "1.2": 0.75})
    # The initial file is closed once audited: the follow-up is the service's one open file.
    Application.objects.filter(pk=previous.application_id).update(
        status=ApplicationStatus.CLOSED, outcome=ApplicationOutcome.AUDITED, closed_at=timezone.now()
    )
    application = ApplicationFactory(
        status=ApplicationStatus.ACKNOWLEDGED,
        kind=ApplicationKind.FOLLOW_UP,
        local_service=previous.local_service,
    )
    audit = AuditFactory(application=application, in_progress=True, previous_audit=previous)
    auditor = AssignmentFactory(audit=audit).auditor
    html = login(auditor).get(reverse("audits:grading", args=[audit.pk])).content.decode()
    assert html.count('data-role="previous-badge"') == 1
    first = audit.grid.checkpoints.get(code="1.1")
    row = html[
        html.index(f'id="point-{first.pk}"') : html.index("</article>", html.index(f'id="point-{first.pk}"'))
    ]
    assert "Sous 0,75 à l’audit précédent (0,25)" in row
    assert (
        "grading-row--highlighted"
        in html[html.rindex("<article", 0, html.index(f'id="point-{first.pk}"')) :][:200]
    )


@pytest.mark.parametrize(
    "who", ["body_auditor_not_assigned", "manager", "proposed_only", "candidate", "other_body_auditor"]
)
def test_only_assigned_auditors_open_the_grading_screen(audit, login, who):
    from audits.enums import AssignmentStatus

    if who == "body_auditor_not_assigned":
        user = MembershipFactory(role=Role.AUDITOR, organisation=audit.certification_body).user
    elif who == "manager":
        user = MembershipFactory(role=Role.CB_MANAGER, organisation=audit.certification_body).user
    elif who == "proposed_only":
        user = AssignmentFactory(audit=audit, status=AssignmentStatus.PROPOSED, declared_at=None).auditor
    elif who == "candidate":
        user = MembershipFactory(role=Role.CANDIDATE, organisation=audit.local_service).user
    else:
        user = MembershipFactory(role=Role.AUDITOR).user
    client = login(user)
    assert client.get(reverse("audits:grading", args=[audit.pk])).status_code == 404
    assert client.get(reverse("audits:closing_meeting", args=[audit.pk])).status_code == 404
    response = client.post(reverse("audits:closing_meeting", args=[audit.pk]), {"closing_summary": "Bien."})
    assert response.status_code == 404
    audit.refresh_from_db()
    assert audit.closing_summary == ""


def test_after_the_report_grades_are_shown_locked_without_buttons(login):
    audit = AuditFactory(reported=True)
    auditor = AssignmentFactory(audit=audit).auditor
    grade_all(audit, 0.75)
    html = login(auditor).get(reverse("audits:grading", args=[audit.pk])).content.decode()
    assert "Les notes sont verrouillées depuis l’envoi du rapport" in html
    assert 'class="grading-button"' not in html
    assert 'data-role="photo"' not in html
    assert 'data-can-grade="false"' in html
    assert "<strong>0,75</strong> (Majoritairement satisfait)" in html


def test_before_the_plan_is_sent_grading_is_not_open(login):
    audit = AuditFactory()
    auditor = AssignmentFactory(audit=audit).auditor
    html = login(auditor).get(reverse("audits:grading", args=[audit.pk])).content.decode()
    assert "Le plan d’audit n’a pas encore été envoyé" in html
    assert 'class="grading-button"' not in html


def _central_audit(**traits):
    central = CentralServiceFactory()
    contract = ServiceContractFactory(central_service=central, local_service=None)
    application = ApplicationFactory(
        contract=contract, local_service=None, central_service=central, status=ApplicationStatus.ACKNOWLEDGED
    )
    return AuditFactory(application=application, **traits)


def test_a_central_audit_is_graded_yes_or_no(login):
    audit = _central_audit(in_progress=True)
    assert audit.grid == central_grid()
    auditor = AssignmentFactory(audit=audit).auditor
    first = audit.grid.checkpoints.order_by("position").first()
    grade_all(audit, 0.0, except_codes=[c.code for c in audit.grid.checkpoints.exclude(pk=first.pk)])
    html = login(auditor).get(reverse("audits:grading", args=[audit.pk])).content.decode()
    assert 'data-central="true"' in html
    assert html.count('class="grading-button"') == 2 * audit.grid.checkpoints.count()
    assert ">Oui<" in html and ">Non<" in html
    assert "Non satisfait" not in html
    assert 'data-points="0" data-label="Non" aria-pressed="true"' in html
    assert "Points validés" in html


def test_a_central_audit_waiting_for_its_locals_says_why(login):
    audit = _central_audit(planned=True)
    auditor = AssignmentFactory(audit=audit).auditor
    html = login(auditor).get(reverse("audits:grading", args=[audit.pk])).content.decode()
    assert "Tirez d’abord au sort les services locaux audités." in html
    assert 'class="grading-button"' not in html


def test_the_manifest_is_public_json_for_an_installable_app(client):
    response = client.get(reverse("audits:manifest"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["name"] == "Services Publics+ — Audit"
    assert data["start_url"] == "/audits/" and data["display"] == "standalone"
    assert {icon["sizes"] for icon in data["icons"]} >= {"192x192", "512x512"}
    for icon in data["icons"]:
        assert icon["src"].startswith("/static/audits/")


def test_the_service_worker_covers_audits_and_is_never_stale(client):
    response = client.get(reverse("audits:service_worker"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/audits/"
    assert response["Cache-Control"] == "no-cache"
    source = response.content.decode()
    assert 'const STATIC_URL = "/static/";' in source
    assert 'addEventListener("fetch"' in source


def test_the_closing_meeting_summary_is_recorded(audit, auditor, login):
    client = login(auditor)
    assert client.get(reverse("audits:closing_meeting", args=[audit.pk])).status_code == 200
    response = client.post(
        reverse("audits:closing_meeting", args=[audit.pk]), {"closing_summary": "  Accueil exemplaire.  "}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("audits:grading", args=[audit.pk])
    audit.refresh_from_db()
    assert audit.closing_summary == "Accueil exemplaire."
    assert audit.closing_meeting_at is not None
    assert AuditLog.objects.filter(audit=audit, transition="closing_meeting", actor=auditor).exists()


def test_an_empty_closing_summary_is_refused_next_to_the_field(audit, auditor, login):
    response = login(auditor).post(
        reverse("audits:closing_meeting", args=[audit.pk]), {"closing_summary": " "}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(
        r'<p class="fr-error-text" id="id_closing_summary-error">\s*Ce champ est obligatoire', html
    )
    audit.refresh_from_db()
    assert audit.closing_meeting_at is None


def test_the_closing_summary_cannot_change_after_the_report(login):
    audit = AuditFactory(reported=True)
    auditor = AssignmentFactory(audit=audit).auditor
    response = login(auditor).post(
        reverse("audits:closing_meeting", args=[audit.pk]), {"closing_summary": "Autre chose."}
    )
    assert response.status_code == 200
    assert "La réunion de clôture se tient pendant l’audit." in response.content.decode()
    assert Audit.objects.get(pk=audit.pk).closing_summary == "Synthèse à chaud présentée au directeur."
    assert Audit.objects.get(pk=audit.pk).status == AuditStatus.REPORT_SENT
