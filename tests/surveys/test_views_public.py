"""The public answer page of a campaign (§3.4): anonymous, protected against abuse, nothing personal kept."""

import datetime
import re

import pytest
import time_machine
from django.core.cache import cache
from django.template.defaultfilters import date as date_filter
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from surveys.enums import NSP_LABEL, SCALE_LABELS, Channel, SurveyKind
from surveys.models import Question, Questionnaire, Response
from surveys.views.public import RATE_LIMIT
from tests.accounts.factories import UserFactory
from tests.surveys.factories import CampaignFactory, answers_of

pytestmark = pytest.mark.django_db

IP = "203.0.113.5"
OTHER_IP = "198.51.100.7"
TODAY = datetime.date.today


def _answer_url(campaign):
    return reverse("surveys:answer", args=[campaign.public_token])


def _thanks_url(campaign):
    return reverse("surveys:thanks", args=[campaign.public_token])


def _codes(campaign):
    return list(campaign.questionnaire.questions.order_by("position").values_list("code", flat=True))


def _data(campaign, answered, position="4"):
    """The first `answered` questions answered with `position`, the others left without an answer."""
    return {f"q_{code}": position for code in _codes(campaign)[:answered]}


def _main(html: str) -> str:
    return html.split('<main id="content"')[1].split("</main>")[0]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


# --- The page ------------------------------------------------------------------------------------------------------


def test_the_page_shows_every_question_of_the_campaigns_version_in_order(client):
    campaign = CampaignFactory()
    newer = Questionnaire.objects.create(
        kind=SurveyKind.USERS, number=2, title="Version 2", published_at=timezone.now()
    )
    Question.objects.create(questionnaire=newer, code="N1", position=1, text="Une question de la version 2.")

    response = client.get(_answer_url(campaign))

    assert response.status_code == 200
    html = response.content.decode()
    texts = list(campaign.questionnaire.questions.order_by("position").values_list("text", flat=True))
    assert len(texts) == 15
    offsets = [html.index(f"{text}\n") for text in texts]  # each one in its legend
    assert offsets == sorted(offsets)
    assert "Une question de la version 2." not in html
    assert html.count('<fieldset class="fr-fieldset"') == 15
    assert html.count("<legend") == 15
    assert "Question 15 sur 15" in _text(html)


def test_each_question_is_a_radio_group_of_the_four_positions_and_nsp(client):
    campaign = CampaignFactory()
    html = client.get(_answer_url(campaign)).content.decode()
    first = html[html.index('id="id_q_U1a-fieldset"') :]
    first = first[: first.index("</fieldset>")]
    assert first.count('class="fr-radio-group"') == 5
    assert first.count('type="radio"') == 5
    for value, label in [*SCALE_LABELS.items(), ("nsp", NSP_LABEL)]:
        assert f'value="{value}"' in first
        assert str(label) in first
    # Every radio has its own visible label.
    for index in range(5):
        assert f'for="id_q_U1a_{index}"' in first
    # Stacked (mobile-first): no inline radios, normal-size (large) touch targets.
    assert "fr-fieldset__element--inline" not in html
    assert "fr-radio-group--sm" not in html


def test_the_introduction_says_anonymous_duration_and_that_nsp_is_accepted(client):
    html = _text(client.get(_answer_url(CampaignFactory())).content.decode())
    assert "Ce questionnaire est anonyme" in html
    assert "Il prend environ 5 minutes." in html  # 15 questions × 20 s
    assert "choisissez « Non concerné / ne se prononce pas » : c’est une réponse acceptée" in html


def test_the_page_is_csp_safe_and_keeps_the_csrf_token_and_a_hidden_honeypot(client):
    html = client.get(_answer_url(CampaignFactory())).content.decode()
    assert 'name="csrfmiddlewaretoken"' in html
    assert "style=" not in html
    assert not re.search(r"\son[a-z]+=", html)
    for script in re.findall(r"<script[^>]*>", html):
        assert "nonce=" in script
    honeypot = re.search(r"<div hidden>(.*?)</div>", html, re.S).group(1)
    assert 'name="site_web"' in honeypot
    assert 'autocomplete="off"' in honeypot
    assert 'tabindex="-1"' in honeypot


def test_question_texts_are_escaped(client):
    v9 = Questionnaire.objects.create(
        kind=SurveyKind.USERS, number=9, title="v9", published_at=timezone.now()
    )
    Question.objects.create(
        questionnaire=v9, code="X1", position=1, text="<script>alert('x')</script> Bonjour"
    )
    campaign = CampaignFactory(questionnaire=v9)

    html = client.get(_answer_url(campaign)).content.decode()

    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; Bonjour" in html


def test_an_agent_campaign_shows_the_agent_questionnaire(client):
    campaign = CampaignFactory(kind=SurveyKind.AGENTS)
    html = client.get(_answer_url(campaign)).content.decode()
    assert html.count('<fieldset class="fr-fieldset"') == 11
    assert "Je connais les 8 engagements Services Publics+ de mon service." in html
    assert "Il prend environ 4 minutes." in _text(html)  # 11 questions × 20 s, rounded up


def test_an_unknown_token_is_404(client):
    assert client.get(reverse("surveys:answer", args=["inconnu"])).status_code == 404
    assert client.post(reverse("surveys:answer", args=["inconnu"]), {}).status_code == 404
    assert client.get(reverse("surveys:thanks", args=["inconnu"])).status_code == 404
    assert Response.objects.count() == 0


# --- Recording -----------------------------------------------------------------------------------------------------


def test_fifteen_answers_make_one_admissible_public_link_response(client):
    campaign = CampaignFactory()
    data = _data(campaign, 15, "3")
    data["q_U9"] = "1"

    response = client.post(_answer_url(campaign), data)

    assert response.status_code == 302
    assert response["Location"] == _thanks_url(campaign)
    recorded = Response.objects.get()
    assert recorded.campaign == campaign
    assert recorded.channel == Channel.PUBLIC_LINK
    assert recorded.complete is True
    assert recorded.answered == 15
    assert recorded.admissible is True
    assert recorded.entered_by is None
    answers = answers_of(recorded)
    assert len(answers) == 15
    assert (answers["U1a"], answers["U9"]) == (3, 1)


def test_seven_answers_out_of_fifteen_are_stored_but_not_admissible(client):
    campaign = CampaignFactory()
    client.post(_answer_url(campaign), _data(campaign, 7))
    recorded = Response.objects.get()
    assert recorded.answered == 7
    assert recorded.admissible is False
    assert len(recorded.positions) == 15
    assert recorded.positions.count("0") == 8


def test_eight_answers_out_of_fifteen_are_admissible(client):
    """More than 50 %: 8 of 15 is admissible (7 is not, above)."""
    campaign = CampaignFactory()
    client.post(_answer_url(campaign), _data(campaign, 8))
    assert Response.objects.get().admissible is True


def test_an_explicit_nsp_counts_as_not_answered(client):
    campaign = CampaignFactory()
    data = _data(campaign, 15, "nsp")
    data.update(_data(campaign, 8, "2"))
    client.post(_answer_url(campaign), data)
    recorded = Response.objects.get()
    assert recorded.answered == 8
    assert recorded.admissible is True
    assert answers_of(recorded)["U9"] is None


def test_a_value_outside_the_scale_is_refused_next_to_its_question(client):
    campaign = CampaignFactory()
    data = _data(campaign, 15)
    data["q_U2a"] = "7"

    response = client.post(_answer_url(campaign), data)

    assert response.status_code == 200
    html = response.content.decode()
    fieldset = html[html.index('<fieldset class="fr-fieldset fr-fieldset--error"') :]
    fieldset = fieldset[: fieldset.index("</fieldset>")]
    assert 'id="id_q_U2a-fieldset"' in fieldset
    assert 'aria-labelledby="id_q_U2a-legend id_q_U2a-error"' in fieldset
    assert "Sélectionnez un choix valide. 7 n’en fait pas partie." in _text(fieldset)
    # The other answers are kept in the form.
    assert re.search(r'name="q_U1a" value="4"[^>]*checked', html)
    assert Response.objects.count() == 0


def test_the_thanks_page(client):
    campaign = CampaignFactory()
    response = client.get(_thanks_url(campaign))
    assert response.status_code == 200
    assert "Merci pour votre participation" in response.content.decode()
    assert campaign.local_service.name in response.content.decode()


# --- Campaigns not open today --------------------------------------------------------------------------------------


def test_a_closed_campaign_explains_it_and_records_nothing(client):
    campaign = CampaignFactory(closed_at=timezone.now())

    page = client.get(_answer_url(campaign))
    posted = client.post(_answer_url(campaign), _data(campaign, 15))

    for response in (page, posted):
        assert response.status_code == 200
        html = response.content.decode()
        assert "Cette enquête est close" in html
        assert f"Elle a pris fin le {date_filter(timezone.localdate(), 'j F Y')}" in _text(html)
        assert "<form" not in _main(html)
    assert Response.objects.count() == 0


def test_a_campaign_past_its_end_date_is_closed(client):
    campaign = CampaignFactory(
        opens_on=TODAY() - datetime.timedelta(days=30), closes_on=TODAY() - datetime.timedelta(days=1)
    )
    assert "Cette enquête est close" in client.get(_answer_url(campaign)).content.decode()
    client.post(_answer_url(campaign), _data(campaign, 15))
    assert Response.objects.count() == 0


def test_a_campaign_not_yet_open_says_when_it_opens_and_records_nothing(client):
    opens_on = timezone.localdate() + datetime.timedelta(days=1)
    campaign = CampaignFactory(opens_on=opens_on, closes_on=opens_on + datetime.timedelta(days=30))

    page = client.get(_answer_url(campaign))
    posted = client.post(_answer_url(campaign), _data(campaign, 15))

    for response in (page, posted):
        assert response.status_code == 200
        html = response.content.decode()
        assert f"Cette enquête ouvrira le {date_filter(opens_on, 'j F Y')}" in html
        assert "<form" not in _main(html)
    assert Response.objects.count() == 0


def test_a_campaign_is_open_on_its_first_and_last_days(client):
    today = timezone.localdate()
    first_day = CampaignFactory(opens_on=today, closes_on=today + datetime.timedelta(days=5))
    last_day = CampaignFactory(opens_on=today - datetime.timedelta(days=5), closes_on=today)
    for campaign in (first_day, last_day):
        assert 'name="q_U1a"' in client.get(_answer_url(campaign)).content.decode()
        assert client.post(_answer_url(campaign), _data(campaign, 15)).status_code == 302
    assert Response.objects.count() == 2


# --- Abuse ---------------------------------------------------------------------------------------------------------


def test_the_21st_submission_of_an_ip_in_the_hour_gets_429_another_ip_still_can(client):
    campaign = CampaignFactory()
    data = _data(campaign, 15)
    for _ in range(RATE_LIMIT):
        assert client.post(_answer_url(campaign), data, REMOTE_ADDR=IP).status_code == 302
    assert Response.objects.count() == RATE_LIMIT == 20

    refused = client.post(_answer_url(campaign), data, REMOTE_ADDR=IP)

    assert refused.status_code == 429
    assert "Trop de tentatives" in refused.content.decode()
    assert Response.objects.count() == 20
    assert client.post(_answer_url(campaign), data, REMOTE_ADDR=OTHER_IP).status_code == 302
    assert Response.objects.count() == 21
    # The limit is per campaign: the same address may answer another campaign.
    other = CampaignFactory()
    assert client.post(_answer_url(other), _data(other, 15), REMOTE_ADDR=IP).status_code == 302


def test_the_rate_limit_ends_after_an_hour(client):
    campaign = CampaignFactory()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(RATE_LIMIT):
            client.post(_answer_url(campaign), {}, REMOTE_ADDR=IP)
        assert client.post(_answer_url(campaign), {}, REMOTE_ADDR=IP).status_code == 429
        traveller.shift(datetime.timedelta(hours=1, seconds=1))
        assert client.post(_answer_url(campaign), {}, REMOTE_ADDR=IP).status_code == 302


def test_forwarded_for_is_not_trusted(client):
    """A client cannot escape the limit by sending a different X-Forwarded-For each time."""
    campaign = CampaignFactory()
    for n in range(RATE_LIMIT):
        client.post(_answer_url(campaign), {}, REMOTE_ADDR=IP, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    response = client.post(_answer_url(campaign), {}, REMOTE_ADDR=IP, HTTP_X_FORWARDED_FOR="192.0.2.200")
    assert response.status_code == 429


def test_the_rate_limit_keeps_no_raw_ip_in_the_cache(client):
    campaign = CampaignFactory()
    client.post(_answer_url(campaign), {}, REMOTE_ADDR=IP)
    keys = list(cache._cache)  # LocMemCache, as in the test settings
    assert keys
    assert not any(IP in key for key in keys)


def test_the_honeypot_drops_the_submission_silently(client):
    campaign = CampaignFactory()
    data = {**_data(campaign, 15), "site_web": "https://spam.example"}

    response = client.post(_answer_url(campaign), data)

    assert response.status_code == 302
    assert response["Location"] == _thanks_url(campaign)
    assert Response.objects.count() == 0


def test_csrf_is_enforced():
    campaign = CampaignFactory()
    client = Client(enforce_csrf_checks=True)

    assert client.post(_answer_url(campaign), _data(campaign, 15)).status_code == 403
    assert Response.objects.count() == 0

    page = client.get(_answer_url(campaign)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = {**_data(campaign, 15), "csrfmiddlewaretoken": token}
    assert client.post(_answer_url(campaign), data).status_code == 302
    assert Response.objects.count() == 1


# --- Nothing personal ----------------------------------------------------------------------------------------------


def test_nothing_stored_holds_the_ip_or_the_user_agent(client):
    campaign = CampaignFactory()
    agent = "Mozilla/5.0 (Linux; Android 14) Navigateur-de-test"
    client.post(_answer_url(campaign), _data(campaign, 15), REMOTE_ADDR=IP, HTTP_USER_AGENT=agent)

    recorded = Response.objects.get()
    for row in [recorded]:
        for field in row._meta.concrete_fields:
            value = str(field.value_from_object(row))
            assert IP not in value, field.name
            assert agent not in value, field.name


def test_an_anonymous_visitor_gets_no_cookie_but_csrf(client):
    campaign = CampaignFactory()
    client.get(_answer_url(campaign))
    client.post(_answer_url(campaign), _data(campaign, 15))
    client.get(_thanks_url(campaign))
    assert set(client.cookies) <= {"csrftoken"}


def test_a_logged_in_visitors_answer_is_not_linked_to_their_account(login):
    campaign = CampaignFactory()
    client = login(UserFactory(candidate=True))

    response = client.post(_answer_url(campaign), _data(campaign, 15))

    assert response.status_code == 302
    assert Response.objects.get().entered_by is None
