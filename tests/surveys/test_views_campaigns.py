"""A service's survey campaigns (§3.4): surveys/views/campaigns.py and surveys/services_campaigns.py."""

import datetime
import io
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from labelsp.accounts.enums import Role
from surveys import selectors, services
from surveys.enums import Channel, SurveyKind
from surveys.models import Campaign, Questionnaire, Response
from surveys.views.campaigns import _percent
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.candidates.factories import CentralServiceFactory, LocalServiceFactory, SiteFactory
from tests.surveys.factories import CampaignFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
TODAY = datetime.date(2026, 4, 15)
USER_CODES = [
    "U1a",
    "U1b",
    "U2a",
    "U2b",
    "U3a",
    "U3b",
    "U4a",
    "U4b",
    "U5a",
    "U5b",
    "U6",
    "U7a",
    "U7b",
    "U8",
    "U9",
]
AGENT_CODES = [f"A{n}" for n in range(1, 12)]


def _at(day: datetime.date, hour: int = 12):
    """Fix the clock on `day` (Paris time)."""
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, hour, tzinfo=PARIS), tick=False
    )


@pytest.fixture(autouse=True)
def _today():
    with _at(TODAY):
        yield


def _staff():
    """A candidate agent of an independent local service."""
    user = UserFactory(candidate=True)
    return user, user.memberships.get().local_service


def _record(campaign, positions, complete=True):
    return services.response_record(
        campaign=campaign, positions=positions, channel=Channel.PUBLIC_LINK, complete=complete
    )


def _create_data(kind=SurveyKind.USERS, **overrides):
    data = {
        "kind": kind,
        "opens_on": "2026-04-20",
        "closes_on": "2026-05-31",
        "population": "400",
        "sampling_method": "Tirage aléatoire de 400 usagers reçus en 2025-2026.",
    }
    return {**data, **overrides}


def _errors(response, field):
    return [str(e) for e in response.context["form"].errors.get(field, [])]


# --- List -----------------------------------------------------------------------------------------------------------


def test_list_shows_the_service_campaigns_newest_first_with_their_counts(login):
    user, local = _staff()
    old = CampaignFactory(
        local_service=local,
        kind=SurveyKind.AGENTS,
        opens_on=datetime.date(2025, 9, 1),
        closes_on=datetime.date(2025, 9, 30),
        population=20,
        closed_at=datetime.datetime(2025, 10, 1, 9, tzinfo=PARIS),
    )
    current = CampaignFactory(local_service=local, opens_on=datetime.date(2026, 4, 1))
    upcoming = CampaignFactory(
        local_service=local, kind=SurveyKind.AGENTS, opens_on=datetime.date(2026, 5, 1), population=20
    )
    _record(current, {c: 4 for c in USER_CODES})
    _record(current, {c: 4 for c in USER_CODES[:7]})  # 7 of 15: not admissible
    CampaignFactory()  # another service's
    response = login(user).get(reverse("surveys:campaign_list"))
    assert response.status_code == 200
    campaigns = response.context["campaigns"]
    assert [c.pk for c in campaigns] == [upcoming.pk, current.pk, old.pk]
    assert [(c.received, c.admissible, c.status) for c in campaigns] == [
        (0, 0, "upcoming"),
        (2, 1, "open"),
        (0, 0, "closed"),
    ]
    html = response.content.decode()
    assert reverse("surveys:campaign_create") in html
    for label in ("Ouverte", "À venir", "Clôturée"):
        assert f">{label}</span>" in html, label


def test_a_campaign_past_its_closing_day_is_shown_closed(login):
    user, local = _staff()
    CampaignFactory(local_service=local, opens_on=TODAY - datetime.timedelta(days=30), closes_on=TODAY)
    CampaignFactory(
        local_service=local,
        kind=SurveyKind.AGENTS,
        opens_on=TODAY - datetime.timedelta(days=30),
        closes_on=TODAY - datetime.timedelta(days=1),
    )
    statuses = [c.status for c in login(user).get(reverse("surveys:campaign_list")).context["campaigns"]]
    assert sorted(statuses) == ["closed", "open"]


def test_central_service_reads_the_campaigns_of_its_confirmed_locals(login):
    central = CentralServiceFactory()
    user = UserFactory()
    MembershipFactory(user=user, role=Role.CENTRAL, organisation=central)
    confirmed = CampaignFactory(local_service=LocalServiceFactory(parent=central))
    CampaignFactory(local_service=LocalServiceFactory(parent=central, parent_confirmed_at=None))
    CampaignFactory(local_service=LocalServiceFactory(in_network=True))
    response = login(user).get(reverse("surveys:campaign_list"))
    assert [c.pk for c in response.context["campaigns"]] == [confirmed.pk]
    assert reverse("surveys:campaign_create") not in response.content.decode()
    assert confirmed.local_service.name in response.content.decode()


def _queries(client, url):
    client.get(url)  # warm up: the first request after login also writes the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in queries]


def test_list_has_a_constant_number_of_queries(login):
    small_user, small = _staff()
    large_user, large = _staff()
    for local, count in ((small, 3), (large, 30)):
        for index in range(count):
            campaign = CampaignFactory(local_service=local, opens_on=TODAY - datetime.timedelta(days=index))
            _record(campaign, {c: 3 for c in USER_CODES})
    small_queries = _queries(login(small_user), reverse("surveys:campaign_list"))
    large_queries = _queries(login(large_user), reverse("surveys:campaign_list"))
    assert len(small_queries) == len(large_queries), "\n".join([*small_queries, "---", *large_queries])
    assert len(large_queries) == 6


# --- Creation -------------------------------------------------------------------------------------------------------


def test_create_asks_the_kind_first_then_labels_the_population_by_kind(login):
    user, _local = _staff()
    client = login(user)
    url = reverse("surveys:campaign_create")
    first = client.get(url)
    assert first.status_code == 200
    assert first.context["form"] is None
    assert 'type="radio"' in first.content.decode()
    users = client.get(url, {"kind": "users"}).content.decode()
    assert "Nombre d’usagers sollicités" in users
    assert "Méthode d’échantillonnage" in users
    agents = client.get(url, {"kind": "agents"}).content.decode()
    assert "Nombre d’agents concernés (en interaction directe ou indirecte avec les usagers)" in agents
    assert "Méthode d’échantillonnage" not in agents


def test_create_opens_a_campaign_on_the_current_questionnaire(login):
    user, local = _staff()
    response = login(user).post(reverse("surveys:campaign_create"), _create_data())
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:campaign_detail", args=[campaign.pk])
    assert campaign.local_service == local
    assert campaign.kind == SurveyKind.USERS
    assert campaign.questionnaire == Questionnaire.objects.current(SurveyKind.USERS)
    assert (campaign.opens_on, campaign.closes_on) == (datetime.date(2026, 4, 20), datetime.date(2026, 5, 31))
    assert campaign.population == 400
    assert campaign.created_by == user
    assert campaign.closed_at is None


def test_a_campaign_keeps_its_questionnaire_version_when_a_new_one_is_published(login):
    user, _local = _staff()
    login(user).post(reverse("surveys:campaign_create"), _create_data())
    first = Questionnaire.objects.current(SurveyKind.USERS)
    Questionnaire.objects.create(
        kind=SurveyKind.USERS, number=first.number + 1, title="v2", published_at=None
    )
    newer = Questionnaire.objects.create(
        kind=SurveyKind.USERS, number=first.number + 2, title="v3", published_at=datetime.datetime.now(PARIS)
    )
    assert Questionnaire.objects.current(SurveyKind.USERS) == newer
    assert Campaign.objects.get().questionnaire == first


def test_the_user_survey_requires_its_sampling_method(login):
    user, _local = _staff()
    response = login(user).post(reverse("surveys:campaign_create"), _create_data(sampling_method="  "))
    assert response.status_code == 200
    assert _errors(response, "sampling_method") == ["Ce champ est obligatoire."]
    assert 'id="id_sampling_method-error"' in response.content.decode()
    assert not Campaign.objects.exists()


def test_the_agent_survey_has_no_sampling_method(login):
    user, _local = _staff()
    response = login(user).post(
        reverse("surveys:campaign_create"), _create_data(SurveyKind.AGENTS, population="35")
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert (campaign.kind, campaign.population, campaign.sampling_method) == (SurveyKind.AGENTS, 35, "")


def test_closing_day_may_be_the_opening_day_but_not_before(login):
    user, _local = _staff()
    client = login(user)
    url = reverse("surveys:campaign_create")
    before = client.post(url, _create_data(opens_on="2026-04-20", closes_on="2026-04-19"))
    assert before.status_code == 200
    assert _errors(before, "closes_on") == ["La date de clôture ne peut pas précéder la date d’ouverture."]
    same = client.post(url, _create_data(opens_on="2026-04-20", closes_on="2026-04-20"))
    assert same.status_code == 302


@pytest.mark.parametrize(
    ("population", "valid"), [("0", False), ("-3", False), ("abc", False), ("", False), ("1", True)]
)
def test_population_is_at_least_one(login, population, valid):
    user, _local = _staff()
    response = login(user).post(reverse("surveys:campaign_create"), _create_data(population=population))
    assert response.status_code == (302 if valid else 200)
    assert Campaign.objects.exists() == valid


def test_unknown_kind_goes_back_to_the_choice(login):
    user, _local = _staff()
    response = login(user).post(reverse("surveys:campaign_create"), _create_data(kind="citizens"))
    assert response.status_code == 200
    assert response.context["form"] is None
    assert response.context["kind_form"].errors["kind"]
    assert not Campaign.objects.exists()


def test_a_second_running_campaign_of_the_same_kind_is_refused(login):
    user, local = _staff()
    running = CampaignFactory(local_service=local, opens_on=TODAY, closes_on=TODAY)  # last day today
    client = login(user)
    url = reverse("surveys:campaign_create")
    refused = client.post(url, _create_data())
    assert refused.status_code == 200
    assert _errors(refused, "__all__") == [
        "Une campagne de ce type est déjà ouverte ou programmée pour ce service : clôturez-la avant d’en "
        "ouvrir une nouvelle."
    ]
    assert "fr-alert--error" in refused.content.decode()
    # The other kind is independent.
    assert client.post(url, _create_data(SurveyKind.AGENTS, population="30")).status_code == 302
    # A campaign not open yet counts too.
    running.opens_on = running.closes_on = TODAY + datetime.timedelta(days=5)
    running.save()
    assert client.post(url, _create_data()).status_code == 200
    assert Campaign.objects.filter(kind=SurveyKind.USERS).count() == 1


def test_once_the_running_campaign_is_closed_a_new_one_may_start(login):
    user, local = _staff()
    running = CampaignFactory(local_service=local, opens_on=datetime.date(2026, 3, 1))
    _campaign_closed_on_31_march(LocalServiceFactory(), "70")  # unrelated
    for index in range(10):
        _record(running, {c: 4 if index < 7 else 1 for c in USER_CODES})  # scores 70: secures Bronze
    client = login(user)
    client.post(reverse("surveys:campaign_close", args=[running.pk]))
    assert client.post(reverse("surveys:campaign_create"), _create_data()).status_code == 302


def test_a_campaign_of_another_service_does_not_block(login):
    user, _local = _staff()
    CampaignFactory()
    assert login(user).post(reverse("surveys:campaign_create"), _create_data()).status_code == 302


def _campaign_closed_on_31_march(local, score: str):
    """A users campaign closed on 31 March 2026 whose global score is just under 70 ("69.99") or exactly 70.

    "70": 10 questionnaires, every question 7 × « tout à fait d’accord » (1) and 3 × « pas du tout » (0) → 70.
    "69.99": 24 questionnaires; U1a gets 16 × 1, 1 × 0.75 and 7 × 0 → 16.75 / 24 = 69.79; every other
    question is NSP on 4 of them and gets 14 × 1 and 6 × 0 on the other 20 → 70. Commitment 1 is
    (69.79 + 70) / 2 = 69.90, the global score (69.90 + 8 × 70) / 9 = 69.988, shown 69,99.
    """
    campaign = CampaignFactory(
        local_service=local,
        opens_on=datetime.date(2026, 3, 1),
        closes_on=datetime.date(2026, 3, 31),
        population=100,
    )
    if score == "70":
        for index in range(10):
            _record(campaign, {c: 4 if index < 7 else 1 for c in USER_CODES})
    else:
        others = USER_CODES[1:]
        answered = {code: 0 for code in others}
        for index in range(24):
            positions = {"U1a": 4 if index < 16 else (3 if index == 16 else 1)}
            for j, code in enumerate(others):
                if (index - 4 * j) % 24 < 4:
                    positions[code] = None
                else:
                    positions[code] = 4 if answered[code] < 14 else 1
                    answered[code] += 1
            _record(campaign, positions)
    campaign.closed_at = datetime.datetime(2026, 3, 31, 18, tzinfo=PARIS)
    campaign.save()
    return campaign


def test_the_score_construction_is_the_one_announced():
    _user, local = _staff()
    low = selectors.campaign_results(_campaign_closed_on_31_march(local, "69.99"))
    assert low.admissible == 24
    assert low.scores.global_score == pytest.approx((((16.75 / 24) * 100 + 70) / 2 + 8 * 70) / 9)
    assert round(low.scores.global_score, 2) == 69.99
    _user, other = _staff()
    assert selectors.campaign_results(_campaign_closed_on_31_march(other, "70")).scores.global_score == 70


def test_six_months_after_a_campaign_that_could_not_secure_bronze(login):
    user, local = _staff()
    _campaign_closed_on_31_march(local, "69.99")
    url = reverse("surveys:campaign_create")
    with _at(datetime.date(2026, 9, 29), hour=23):
        client = login(user)  # logged in on the day: a session does not last six months
        refused = client.post(url, _create_data(opens_on="2026-10-01", closes_on="2026-10-31"))
    assert refused.status_code == 200
    assert _errors(refused, "opens_on") == [
        "Votre précédente campagne, close le 31 mars 2026, ne permettait pas d’atteindre le palier Bronze : "
        "une nouvelle campagne est possible à partir du 30 septembre 2026."
    ]
    assert 'id="id_opens_on-error"' in refused.content.decode()
    with _at(datetime.date(2026, 9, 29)):
        # The rule is about the kind: an agent survey may start.
        agents = client.post(
            url, _create_data(SurveyKind.AGENTS, opens_on="2026-10-01", closes_on="2026-10-31")
        )
        assert agents.status_code == 302
    with _at(datetime.date(2026, 9, 30), hour=0):
        allowed = login(user).post(url, _create_data(opens_on="2026-10-01", closes_on="2026-10-31"))
    assert allowed.status_code == 302
    assert Campaign.objects.filter(kind=SurveyKind.USERS).count() == 2


def test_a_campaign_scoring_70_does_not_block(login):
    user, local = _staff()
    _campaign_closed_on_31_march(local, "70")
    with _at(datetime.date(2026, 4, 1)):
        response = login(user).post(reverse("surveys:campaign_create"), _create_data())
    assert response.status_code == 302


def test_a_campaign_nobody_closed_ends_on_its_closing_day_for_the_six_month_rule(login):
    """Interpretation (services_campaigns.campaign_closed_on): its planned closing day is its end."""
    user, local = _staff()
    CampaignFactory(  # no answer at all: no score, no Bronze
        local_service=local, opens_on=datetime.date(2026, 3, 1), closes_on=datetime.date(2026, 3, 31)
    )
    url = reverse("surveys:campaign_create")
    data = _create_data(opens_on="2026-10-01", closes_on="2026-10-31")
    with _at(datetime.date(2026, 9, 29)):
        refused = login(user).post(url, data)
        assert "à partir du 30 septembre 2026" in _errors(refused, "opens_on")[0]
    with _at(datetime.date(2026, 9, 30)):
        assert login(user).post(url, data).status_code == 302


def test_only_the_last_ended_campaign_counts(login):
    user, local = _staff()
    _campaign_closed_on_31_march(local, "69.99")
    CampaignFactory(
        local_service=local,
        opens_on=datetime.date(2026, 4, 1),
        closes_on=datetime.date(2026, 4, 10),
        closed_at=datetime.datetime(2026, 4, 10, 18, tzinfo=PARIS),
    )
    # The later one has no score: it cannot secure Bronze either, and runs from 10 April.
    with _at(datetime.date(2026, 10, 5)):
        refused = login(user).post(
            reverse("surveys:campaign_create"), _create_data(opens_on="2026-10-06", closes_on="2026-10-31")
        )
    assert "close le 10 avril 2026" in _errors(refused, "opens_on")[0]
    assert "à partir du 10 octobre 2026" in _errors(refused, "opens_on")[0]


def test_create_is_for_candidate_staff_only(login):
    central_user = UserFactory(central=True)
    assert login(central_user).get(reverse("surveys:campaign_create")).status_code == 404


def test_campaign_open_refuses_someone_who_does_not_manage_the_service():
    from django.core.exceptions import PermissionDenied

    from surveys.services_campaigns import campaign_open

    _user, local = _staff()
    stranger, _other = _staff()
    with pytest.raises(PermissionDenied):
        campaign_open(
            user=stranger,
            local_service=local,
            kind=SurveyKind.USERS,
            opens_on=TODAY,
            closes_on=TODAY,
            population=10,
            sampling_method="x",
        )
    assert not Campaign.objects.exists()


# --- Dashboard ------------------------------------------------------------------------------------------------------


def test_dashboard_figures_of_a_user_campaign(login):
    user, local = _staff()
    campaign = CampaignFactory(local_service=local, population=40)
    _record(campaign, {c: 4 for c in USER_CODES} | {"U1b": None})  # admissible
    _record(campaign, {c: 2 for c in USER_CODES})  # admissible
    _record(campaign, {c: 3 for c in USER_CODES})  # admissible
    _record(campaign, {c: 1 for c in USER_CODES[:7]})  # 7 of 15 answered: not admissible
    _record(campaign, {c: 1 for c in USER_CODES}, complete=False)  # not finished: not admissible
    response = login(user).get(reverse("surveys:campaign_detail", args=[campaign.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    results = response.context["results"]
    assert (results.received, results.admissible) == (5, 3)
    # 3 / 40 = 7.5 %; valid needs 50 admissible (and 5 % of 40 = 2): 47 more.
    assert response.context["rate_percent"] == Decimal("7.5")
    assert "7,5 %" in html
    assert "un taux de retour d’au moins 5 % et au moins 50 questionnaires recevables" in html
    assert "encore 47 questionnaires recevables nécessaires" in html
    assert "Campagne valide" not in html
    # U1a = (1 + 0.25 + 0.75) / 3 = 66.67; U1b = (0.25 + 0.75) / 2 = 50 → commitment 1 = 58.33.
    assert results.scores.by_question["U1b"] == pytest.approx(50)
    assert "66,67" in html and "58,33" in html
    assert "Engagement 1 — Un accueil respectueux et bienveillant, le droit à l’erreur" in html
    assert "Vous avez été accueilli(e) avec respect et courtoisie." in html
    assert f"{results.scores.global_score:.2f}".replace(".", ",") in html
    assert response.context["public_url"].endswith(reverse("surveys:answer", args=[campaign.public_token]))
    assert response.context["public_url"] in html
    assert reverse("surveys:poster", args=[campaign.pk]) in html
    # Staff tools.
    assert reverse("surveys:campaign_import", args=[campaign.pk]) in html
    assert reverse("surveys:paper_entry", args=[campaign.pk]) in html
    assert reverse("surveys:campaign_close", args=[campaign.pk]) in html


def test_public_link_is_built_from_site_url(login, settings):
    settings.SITE_URL = "https://label.exemple.gouv.fr/"
    user, local = _staff()
    campaign = CampaignFactory(local_service=local)
    response = login(user).get(reverse("surveys:campaign_detail", args=[campaign.pk]))
    expected = f"https://label.exemple.gouv.fr/enquetes/r/{campaign.public_token}/"
    assert response.context["public_url"] == expected
    assert expected in response.content.decode()


def test_dashboard_of_a_valid_agent_campaign(login):
    user, local = _staff()
    campaign = CampaignFactory(local_service=local, kind=SurveyKind.AGENTS, population=10)
    for index in range(5):
        _record(campaign, {c: 4 if index % 2 else 3 for c in AGENT_CODES})
    response = login(user).get(reverse("surveys:campaign_detail", args=[campaign.pk]))
    html = response.content.decode()
    assert "50,0 %" in html
    assert "un taux de retour d’au moins 50 %" in html
    assert "Campagne valide" in html
    assert "questionnaires recevables nécessaires" not in html
    assert "A11 — " in html


def test_dashboard_rate_boundary_of_an_agent_band(login):
    """N = 50 agents: 30 % and 30 admissible; 14 admissible → 28 %, 16 more needed (30 - 14)."""
    user, local = _staff()
    campaign = CampaignFactory(local_service=local, kind=SurveyKind.AGENTS, population=50)
    for _ in range(14):
        _record(campaign, {c: 4 for c in AGENT_CODES})
    html = login(user).get(reverse("surveys:campaign_detail", args=[campaign.pk])).content.decode()
    assert "28,0 %" in html
    assert "un taux de retour d’au moins 30 % et au moins 30 questionnaires recevables" in html
    assert "encore 16 questionnaires recevables nécessaires" in html


@pytest.mark.parametrize(
    ("rate", "shown"),
    [
        (Fraction(499, 10000), Decimal("4.9")),
        (Fraction(5, 100), Decimal("5")),
        (Fraction(1, 3), Decimal("33.3")),
    ],
)
def test_rates_are_rounded_down_so_that_a_missed_threshold_never_shows_reached(rate, shown):
    assert _percent(rate) == shown


def test_a_closed_campaign_that_cannot_secure_bronze_says_when_a_new_one_is_possible(login):
    user, local = _staff()
    campaign = _campaign_closed_on_31_march(local, "69.99")
    html = login(user).get(reverse("surveys:campaign_detail", args=[campaign.pk])).content.decode()
    assert "une nouvelle campagne est possible à partir du 30 septembre 2026" in html
    assert "69,99" in html
    # Closed: no staff tools any more.
    assert reverse("surveys:campaign_import", args=[campaign.pk]) not in html
    assert reverse("surveys:campaign_close", args=[campaign.pk]) not in html


def test_a_closed_campaign_scoring_70_says_nothing_about_a_new_one(login):
    user, local = _staff()
    campaign = _campaign_closed_on_31_march(local, "70")
    html = login(user).get(reverse("surveys:campaign_detail", args=[campaign.pk])).content.decode()
    assert "une nouvelle campagne est possible" not in html


def test_central_reads_the_dashboard_without_the_staff_tools(login):
    central = CentralServiceFactory()
    user = UserFactory()
    MembershipFactory(user=user, role=Role.CENTRAL, organisation=central)
    campaign = CampaignFactory(local_service=LocalServiceFactory(parent=central))
    response = login(user).get(reverse("surveys:campaign_detail", args=[campaign.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("surveys:campaign_import", args=[campaign.pk]) not in html
    assert reverse("surveys:paper_entry", args=[campaign.pk]) not in html
    assert reverse("surveys:campaign_close", args=[campaign.pk]) not in html


def _bulk_responses(campaign, count, user):
    """`count` admissible questionnaires, imported in one go (COPY) to keep the test fast."""
    from surveys.imports import import_csv

    lines = [";".join(USER_CODES), *[";".join(str(1 + (i + j) % 4) for j in range(15)) for i in range(count)]]
    upload = SimpleUploadedFile("r.csv", "\n".join(lines).encode(), content_type="text/csv")
    import_csv(campaign=campaign, uploaded_file=upload, user=user)


def test_dashboard_has_a_constant_number_of_queries(login):
    user, local = _staff()
    small = CampaignFactory(local_service=local)
    large = CampaignFactory(local_service=local, kind=SurveyKind.USERS, opens_on=TODAY)
    _bulk_responses(small, 3, user)
    _bulk_responses(large, 300, user)
    assert Response.objects.filter(campaign=large).count() == 300
    client = login(user)
    small_queries = _queries(client, reverse("surveys:campaign_detail", args=[small.pk]))
    large_queries = _queries(client, reverse("surveys:campaign_detail", args=[large.pk]))
    assert len(small_queries) == len(large_queries), "\n".join([*small_queries, "---", *large_queries])
    assert len(large_queries) == 12


# --- Close ----------------------------------------------------------------------------------------------------------


def test_close_sets_the_closing_time_once(login):
    user, local = _staff()
    campaign = CampaignFactory(local_service=local)
    client = login(user)
    url = reverse("surveys:campaign_close", args=[campaign.pk])
    response = client.post(url)
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.closed_at == datetime.datetime(2026, 4, 15, 12, tzinfo=PARIS)
    with _at(TODAY + datetime.timedelta(days=1)):
        again = client.post(url)
    assert again.status_code == 200
    assert "Cette campagne est déjà close depuis le 15 avril 2026." in again.content.decode()
    campaign.refresh_from_db()
    assert campaign.closed_at == datetime.datetime(2026, 4, 15, 12, tzinfo=PARIS)


def test_central_may_not_close(login):
    central = CentralServiceFactory()
    user = UserFactory()
    MembershipFactory(user=user, role=Role.CENTRAL, organisation=central)
    campaign = CampaignFactory(local_service=LocalServiceFactory(parent=central))
    assert login(user).post(reverse("surveys:campaign_close", args=[campaign.pk])).status_code == 403
    campaign.refresh_from_db()
    assert campaign.closed_at is None


# --- Import ---------------------------------------------------------------------------------------------------------


def _csv(*rows, header=None):
    lines = [";".join(header or USER_CODES), *[";".join(row) for row in rows]]
    return SimpleUploadedFile("reponses.csv", ("\ufeff" + "\n".join(lines)).encode(), content_type="text/csv")


def test_import_success(login):
    user, local = _staff()
    campaign = CampaignFactory(local_service=local)
    client = login(user)
    upload = _csv(["4"] * 15, ["NSP"] * 8 + ["2"] * 7)
    response = client.post(
        reverse("surveys:campaign_import", args=[campaign.pk]), {"file": upload}, follow=True
    )
    assert response.redirect_chain[-1] == (reverse("surveys:campaign_detail", args=[campaign.pk]), 302)
    html = response.content.decode()
    assert "2 questionnaire(s) importé(s), dont 1 recevable(s)." in html
    assert campaign.responses.filter(channel=Channel.IMPORT).count() == 2
    # The file is listed with who imported it and its counts.
    assert "Fichiers importés" in html
    assert f"<td>reponses.csv</td>\n                <td>{user}</td>\n                <td>2</td>" in html


def test_import_failure_lists_every_line_and_imports_nothing(login):
    user, local = _staff()
    campaign = CampaignFactory(local_service=local)
    upload = _csv(["4"] * 15, ["7"] + ["4"] * 14, ["4"] * 14 + ["peut-être"])
    response = login(user).post(reverse("surveys:campaign_import", args=[campaign.pk]), {"file": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Le fichier n’a pas été importé" in html
    assert "fr-alert--error" in html
    errors = response.context["import_errors"]
    assert len(errors) == 2
    assert errors[0].startswith("Ligne 3 :") and "U1a" in errors[0]
    assert errors[1].startswith("Ligne 4 :") and "U9" in errors[1]
    assert "Ligne 3 :" in html and "Ligne 4 :" in html
    assert not campaign.responses.exists()


def test_import_without_a_file(login):
    user, local = _staff()
    campaign = CampaignFactory(local_service=local)
    response = login(user).post(reverse("surveys:campaign_import", args=[campaign.pk]), {})
    assert response.status_code == 200
    assert response.context["import_form"].errors["file"] == ["Choisissez le fichier à importer."]
    assert 'id="id_file-error"' in response.content.decode()


# --- Paper entry ----------------------------------------------------------------------------------------------------


def _paper(answers: dict, complete=True):
    data = {f"q_{code}": value for code, value in answers.items()}
    if complete:
        data["complete"] = "on"
    return data


def test_paper_entry_form_has_one_fieldset_per_question(login):
    user, local = _staff()
    campaign = CampaignFactory(local_service=local)
    response = login(user).get(reverse("surveys:paper_entry", args=[campaign.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<fieldset") == 15
    assert html.count("<legend") == 15
    assert html.count('type="radio"') == 15 * 5
    assert "Tout à fait d’accord" in html and "Non concerné / ne se prononce pas" in html
    assert "Questionnaire complet" in html


def test_paper_entry_records_and_returns_an_empty_form(login):
    user, local = _staff()
    campaign = CampaignFactory(local_service=local)
    client = login(user)
    url = reverse("surveys:paper_entry", args=[campaign.pk])
    # 8 answers out of 15 (> 50 %), the rest NSP: admissible.
    data = _paper({c: "4" for c in USER_CODES[:8]} | {c: "nsp" for c in USER_CODES[8:]})
    response = client.post(url, data, follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert "Questionnaire n° 1 enregistré." in response.content.decode()
    assert not response.context["form"].is_bound
    first = campaign.responses.get()
    assert (first.channel, first.entered_by, first.complete, first.answered, first.admissible) == (
        Channel.PAPER,
        user,
        True,
        8,
        True,
    )
    assert first.positions.count("0") == 7
    # 7 answers out of 15, the others left blank (NSP): not admissible.
    second = client.post(url, _paper({c: "3" for c in USER_CODES[:7]}), follow=True)
    assert "Questionnaire n° 2 enregistré." in second.content.decode()
    assert campaign.responses.order_by("pk").last().admissible is False
    # Every question answered but the checkbox left unticked: not complete, not admissible.
    client.post(url, _paper({c: "4" for c in USER_CODES}, complete=False))
    last = campaign.responses.order_by("pk").last()
    assert (last.complete, last.answered, last.admissible) == (False, 15, False)


def test_paper_entry_refuses_a_value_off_the_scale(login):
    user, local = _staff()
    campaign = CampaignFactory(local_service=local)
    response = login(user).post(reverse("surveys:paper_entry", args=[campaign.pk]), _paper({"U1a": "7"}))
    assert response.status_code == 200
    assert response.context["form"].errors["q_U1a"]
    assert 'id="id_q_U1a-error"' in response.content.decode()
    assert not campaign.responses.exists()


def test_paper_entry_on_a_closed_campaign_is_refused(login):
    user, local = _staff()
    campaign = CampaignFactory(local_service=local, closed_at=datetime.datetime(2026, 4, 14, 9, tzinfo=PARIS))
    client = login(user)
    url = reverse("surveys:paper_entry", args=[campaign.pk])
    response = client.post(url, _paper({c: "4" for c in USER_CODES}), follow=True)
    assert response.redirect_chain == [(reverse("surveys:campaign_detail", args=[campaign.pk]), 302)]
    assert "Cette campagne est close : elle ne reçoit plus de questionnaires." in response.content.decode()
    assert not campaign.responses.exists()
    assert client.get(url).status_code == 302


def test_paper_response_record_refuses_a_closed_campaign():
    from django.core.exceptions import ValidationError

    from surveys.services_campaigns import paper_response_record

    user, local = _staff()
    campaign = CampaignFactory(local_service=local, closed_at=datetime.datetime(2026, 4, 14, 9, tzinfo=PARIS))
    with pytest.raises(ValidationError):
        paper_response_record(user=user, campaign=campaign, positions={"U1a": 4}, complete=True)
    assert not campaign.responses.exists()


# --- Poster ---------------------------------------------------------------------------------------------------------


def _pdf_text(response) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    return " ".join(page.extract_text() for page in reader.pages)


def test_poster_is_an_a4_pdf_with_the_service_the_closing_date_and_the_link(login, settings):
    settings.SITE_URL = "https://label.exemple.gouv.fr"
    user, local = _staff()
    campaign = CampaignFactory(local_service=local, closes_on=datetime.date(2026, 5, 31))
    response = login(user).get(reverse("surveys:poster", args=[campaign.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="affiche-enquete-{campaign.pk}.pdf"'
    text = _pdf_text(response)
    assert local.name in text
    assert "31 mai 2026" in text
    assert f"https://label.exemple.gouv.fr/enquetes/r/{campaign.public_token}/" in text.replace("\n", "")
    assert "Site :" not in text
    from pypdf import PdfReader

    box = PdfReader(io.BytesIO(response.content)).pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)


def test_poster_of_a_site(login):
    user, local = _staff()
    site = SiteFactory(local_service=local, name="Antenne de Villeurbanne")
    campaign = CampaignFactory(local_service=local)
    client = login(user)
    url = reverse("surveys:poster", args=[campaign.pk])
    response = client.get(url, {"site": site.pk})
    assert response.status_code == 200
    assert "Site : Antenne de Villeurbanne" in _pdf_text(response)
    assert f"-site-{site.pk}.pdf" in response["Content-Disposition"]
    other_site = SiteFactory()
    assert client.get(url, {"site": other_site.pk}).status_code == 404
    assert client.get(url, {"site": "abc"}).status_code == 404
