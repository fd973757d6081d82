"""The results report of a campaign (§3.4): surveys/report.py, surveys/views/report.py, and the application file
filled from a closed campaign (candidates/forms/applications.py, candidates/views/applications.py)."""

import datetime
import io
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from labelsp.accounts.enums import Role
from surveys import services, services_campaigns
from surveys.enums import COMMITMENT_LABELS, Channel, SurveyKind
from surveys.report import render_results_report, report_context
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.candidates.factories import ApplicationFactory, LocalServiceFactory, ServiceContractFactory
from tests.surveys.factories import CampaignFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
TODAY = datetime.date(2027, 5, 15)
# One position per question, so that each commitment has its own note: 4 → 100, 3 → 75, 2 → 25, 1 → 0.
USER_POSITIONS = {
    "U1a": 4,
    "U1b": 4,  # commitment 1: 100
    "U2a": 3,
    "U2b": 3,  # 2: 75
    "U3a": 2,
    "U3b": 2,  # 3: 25
    "U4a": 1,
    "U4b": 1,  # 4: 0
    "U5a": 4,
    "U5b": 3,  # 5: (100 + 75) / 2 = 87.5
    "U6": 3,  # 6: 75
    "U7a": 2,
    "U7b": 1,  # 7: (25 + 0) / 2 = 12.5
    "U8": 4,  # 8: 100
    "U9": 3,  # satisfaction: 75
}
USER_NOTES = [100, 75, 25, 0, 87.5, 75, 12.5, 100, 75]
# Global score = mean of the 9 notes = 550 / 9 = 61.111… → 61,11.
USER_GLOBAL = "61,11"
AGENT_POSITIONS = {f"A{n}": (4 if n <= 4 else 3 if n <= 8 else 2) for n in range(1, 12)}


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2027, 5, 15, 12, tzinfo=PARIS), tick=False):
        yield


def _staff(service):
    user = UserFactory()
    MembershipFactory(user=user, role=Role.CANDIDATE, organisation=service)
    return user


def _campaign(*, kind=SurveyKind.USERS, answers=50, population=1000, close=True, service=None, **fields):
    """A campaign of `answers` identical admissible questionnaires, closed by its service's staff."""
    service = service or LocalServiceFactory(name="Caisse d’allocations familiales du Rhône")
    campaign = CampaignFactory(local_service=service, kind=kind, population=population, **fields)
    positions = USER_POSITIONS if kind == SurveyKind.USERS else AGENT_POSITIONS
    for _ in range(answers):
        services.response_record(campaign=campaign, positions=positions, channel=Channel.PUBLIC_LINK)
    # One questionnaire with half its questions only: received, not admissible.
    half = dict(list(positions.items())[: len(positions) // 2])
    services.response_record(campaign=campaign, positions=half, channel=Channel.PAPER)
    if close:
        campaign = services_campaigns.campaign_close(user=_staff(service), campaign=campaign)
    return campaign


def _pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    # Words may be split across lines in the layout: compare on single spaces.
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _bars(html: str) -> list[float]:
    return [float(width) for width in re.findall(r'<rect class="bar" [^>]*width="([0-9.]+)"', html)]


# --- The report ------------------------------------------------------------------------------------------------


def test_the_report_of_a_valid_user_campaign():
    campaign = _campaign(answers=50, population=1000)  # 50 admissible out of 1 000: exactly 5 % → valid
    pdf = render_results_report(campaign)
    assert pdf.startswith(b"%PDF")
    text = _pdf_text(pdf)
    assert "Rapport de résultats — Enquête usagers" in text
    assert "Caisse d’allocations familiales du Rhône" in text
    assert campaign.local_service.siret in text
    assert "Questionnaires reçus 51" in text
    assert "Questionnaires recevables 50" in text
    assert "5,0 %" in text
    assert "un taux de retour d’au moins 5 % et au moins 50 questionnaires recevables" in text
    assert "Résultats valides" in text and "non valides" not in text
    assert "Tirage aléatoire parmi les usagers reçus dans les 12 derniers mois." in text
    assert "15 mai 2027" in text  # closed today
    for label in COMMITMENT_LABELS.values():
        assert " ".join(str(label).split()) in text, label
    assert f"{USER_GLOBAL} / 100" in text
    assert "87,50" in text and "12,50" in text
    assert "Vous avez été accueilli(e) avec respect et courtoisie." in text  # the per-question table
    assert "Calculé selon les règles du guide du label (§3.4)" in text
    assert "Rapport généré le 15 mai 2027" in text


def test_the_report_of_an_invalid_campaign_says_what_is_missing():
    campaign = _campaign(answers=49, population=1000)  # 49 admissible: one short of 50, rate 4.9 %
    text = _pdf_text(render_results_report(campaign))
    assert "Résultats non valides" in text
    assert "49 questionnaires recevables pour un minimum de 50" in text
    assert "taux de retour de 4,9 % pour un minimum de 5 %" in text
    assert "il manque 1 questionnaire recevable" in text
    assert "Résultats valides" not in text


def test_the_report_of_an_agent_campaign_has_one_bar_per_question():
    # 40 agents (N < 50: rate ≥ 50 %); 10 admissible: 25 %, not valid.
    campaign = _campaign(kind=SurveyKind.AGENTS, answers=10, population=40)
    html = render_to_string("pdf/survey_report.html", report_context(campaign))
    assert len(_bars(html)) == 11
    text = _pdf_text(render_results_report(campaign))
    assert "Rapport de résultats — Enquête agents" in text
    assert "Agents concernés 40" in text
    assert "25,0 %" in text
    assert "Résultats non valides" in text
    assert "un taux de retour d’au moins 50 %" in text
    assert "Je connais les 8 engagements Services Publics+ de mon service." in text
    # 4 × 100 + 4 × 75 + 3 × 25 = 775 / 11 = 70.45…
    assert "70,45 / 100" in text


def test_the_chart_draws_a_bar_per_commitment_proportional_to_its_note():
    campaign = _campaign()
    html = render_to_string("pdf/survey_report.html", report_context(campaign))
    assert "<svg" in html
    widths = _bars(html)
    assert len(widths) == len(USER_NOTES) == 9
    # Bars in the order of the commitments, 5 units per point: widths ordered exactly like the notes.
    assert widths == [5 * note for note in USER_NOTES]
    assert sorted(range(9), key=widths.__getitem__) == sorted(range(9), key=USER_NOTES.__getitem__)
    # The Bronze minimum of the user survey (70) as a vertical line with its label.
    assert re.search(r'<line class="bronze" x1="350.00"', html)
    assert "Minimum Bronze : 70" in html


def test_the_agent_chart_marks_the_agent_bronze_minimum():
    campaign = _campaign(kind=SurveyKind.AGENTS, answers=3, population=10)
    html = render_to_string("pdf/survey_report.html", report_context(campaign))
    assert re.search(r'<line class="bronze" x1="250.00"', html)
    assert "Minimum Bronze : 50" in html


def test_a_campaign_without_answers_still_has_a_report():
    campaign = _campaign(answers=0, close=False)
    context = report_context(campaign)
    assert context["global_score"] == "—"
    assert _bars(render_to_string("pdf/survey_report.html", context)) == [0.0] * 9
    text = _pdf_text(render_results_report(campaign))
    assert "Campagne non close : résultats provisoires" in text
    assert "Résultats non valides" in text


# --- The view --------------------------------------------------------------------------------------------------


def test_the_staff_download_the_report_as_an_attachment(login):
    campaign = _campaign()
    response = login(_staff(campaign.local_service)).get(
        reverse("surveys:results_report", args=[campaign.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="resultats-enquete-usagers-caisse-dallocations-familiales-du-rhone-2027-05-15.pdf"'
    )
    assert "Résultats valides" in _pdf_text(response.content)


def test_another_services_campaign_report_is_not_found(login):
    campaign = _campaign(answers=0)
    other = _staff(LocalServiceFactory())
    assert login(other).get(reverse("surveys:results_report", args=[campaign.pk])).status_code == 404


def test_the_campaign_dashboard_links_the_report(login):
    campaign = _campaign(answers=0, close=False)
    html = login(_staff(campaign.local_service)).get(reverse("surveys:campaign_detail", args=[campaign.pk]))
    html = html.content.decode()
    assert reverse("surveys:results_report", args=[campaign.pk]) in html
    assert "Rapport de résultats (PDF)" in html


# --- The application file filled from a closed campaign --------------------------------------------------------


def _error_next_to(html: str, field_id: str) -> str | None:
    match = re.search(rf'<p class="fr-error-text" id="{re.escape(field_id)}-error">(.*?)</p>', html, re.S)
    return match.group(1) if match else None


def _file():
    service = LocalServiceFactory(name="Caisse d’allocations familiales du Rhône")
    staff = _staff(service)
    application = ApplicationFactory(
        contract=ServiceContractFactory(local_service=service), local_service=service
    )
    return staff, service, application


def test_choosing_closed_campaigns_fills_the_survey_dates_and_scores(login):
    staff, service, application = _file()
    with time_machine.travel(datetime.datetime(2027, 3, 31, 18, tzinfo=PARIS), tick=False):
        users = _campaign(
            service=service, opens_on=datetime.date(2027, 3, 1), closes_on=datetime.date(2027, 3, 31)
        )
    with time_machine.travel(datetime.datetime(2027, 4, 10, 9, tzinfo=PARIS), tick=False):
        agents = _campaign(
            kind=SurveyKind.AGENTS,
            answers=30,
            population=40,
            service=service,
            opens_on=datetime.date(2027, 3, 15),
            closes_on=datetime.date(2027, 4, 30),
        )
    open_users = CampaignFactory(local_service=service, kind=SurveyKind.USERS)
    client = login(staff)
    url = reverse("candidates:application_edit", args=[application.pk])

    html = client.get(url).content.decode()
    user_select = re.search(r'<select name="user_survey_campaign".*?</select>', html, re.S).group(0)
    assert f'value="{users.pk}"' in user_select
    assert f'value="{open_users.pk}"' not in user_select and f'value="{agents.pk}"' not in user_select
    assert f"Du 1 mars 2027 au 31 mars 2027 — {USER_GLOBAL} / 100 — résultats valides" in user_select
    assert "Campagne d’enquête usagers" in html and "Campagne d’enquête agents" in html

    response = client.post(
        url,
        {
            "user_survey_campaign": users.pk,
            "user_survey_score": "12",  # typed, then replaced by the campaign's score
            "user_survey_closed_on": "not a date",
            "agent_survey_campaign": agents.pk,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    application.refresh_from_db()
    assert application.user_survey_campaign == users
    assert application.user_survey_closed_on == datetime.date(2027, 3, 31)
    assert application.user_survey_score == Decimal("61.11")
    assert application.agent_survey_campaign == agents
    assert application.agent_survey_closed_on == datetime.date(2027, 4, 10)
    assert application.agent_survey_score == Decimal("70.45")

    html = client.get(reverse("candidates:application_detail", args=[application.pk])).content.decode()
    assert reverse("surveys:results_report", args=[users.pk]) in html
    assert reverse("surveys:results_report", args=[agents.pk]) in html
    assert "Du 15 mars 2027 au 10 avril 2027 — 70,45 / 100 — résultats valides" in html


def test_without_a_campaign_the_survey_fields_stay_editable(login):
    staff, _service, application = _file()
    response = login(staff).post(
        reverse("candidates:application_edit", args=[application.pk]),
        {"user_survey_closed_on": "2027-04-01", "user_survey_score": "82.5", "user_survey_campaign": ""},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.user_survey_campaign is None
    assert (application.user_survey_closed_on, application.user_survey_score) == (
        datetime.date(2027, 4, 1),
        Decimal("82.5"),
    )


@pytest.mark.parametrize(
    ("case", "field", "message"),
    [
        ("open", "user_survey_campaign", "Cette campagne n’est pas close"),
        ("other_service", "user_survey_campaign", "Choisissez une des campagnes closes de votre service."),
        ("wrong_kind", "user_survey_campaign", "Cette campagne n’est pas une enquête usagers."),
        ("wrong_kind_agents", "agent_survey_campaign", "Cette campagne n’est pas une enquête agents."),
    ],
)
def test_a_campaign_that_cannot_fill_the_file_is_refused_next_to_the_field(login, case, field, message):
    staff, service, application = _file()
    campaign = {
        "open": lambda: _campaign(service=service, answers=0, close=False),
        "other_service": lambda: _campaign(service=LocalServiceFactory(), answers=0),
        "wrong_kind": lambda: _campaign(service=service, kind=SurveyKind.AGENTS, answers=0, population=10),
        "wrong_kind_agents": lambda: _campaign(service=service, answers=0),
    }[case]()
    response = login(staff).post(
        reverse("candidates:application_edit", args=[application.pk]), {field: campaign.pk}
    )
    assert response.status_code == 200
    assert message in _error_next_to(response.content.decode(), f"id_{field}")
    application.refresh_from_db()
    assert application.user_survey_campaign is None and application.agent_survey_campaign is None
    assert application.user_survey_score is None and application.user_survey_closed_on is None


def test_a_central_services_file_has_no_campaign_select(login):
    user = UserFactory(central=True)
    central = user.memberships.get().central_service
    application = ApplicationFactory(
        contract=ServiceContractFactory(central_service=central, local_service=None),
        local_service=None,
        central_service=central,
    )
    html = login(user).get(reverse("candidates:application_edit", args=[application.pk])).content.decode()
    assert "user_survey_campaign" not in html
    assert timezone.localdate() == TODAY


def test_the_certification_body_reads_the_report_of_a_campaign_its_file_relies_on(login):
    """§3.5.2: the body checks the survey results of the files filed with it — and only those."""
    from django.urls import reverse

    from candidates.enums import ApplicationStatus
    from labelsp.accounts.enums import Role
    from tests.accounts.factories import MembershipFactory, UserFactory
    from tests.candidates.factories import ApplicationFactory
    from tests.surveys.factories import CampaignFactory

    application = ApplicationFactory(status=ApplicationStatus.SUBMITTED)
    linked = CampaignFactory(local_service=application.local_service, closed_at=timezone.now())
    other = CampaignFactory(local_service=application.local_service, closed_at=timezone.now())
    application.user_survey_campaign = linked
    application.save()
    manager = UserFactory()
    MembershipFactory(user=manager, role=Role.CB_MANAGER, organisation=application.certification_body)
    client = login(manager)
    assert client.get(reverse("surveys:results_report", args=[linked.pk])).status_code == 200
    assert client.get(reverse("surveys:results_report", args=[other.pk])).status_code == 404
