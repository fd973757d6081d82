"""Logging in with ProConnect, against a local fake OpenID Connect server (tests/accounts/fake_oidc.py)."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialAccount
from django.shortcuts import resolve_url
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from labelsp.accounts.models import User
from labelsp.proconnect.views import ID_TOKEN_SESSION_KEY
from tests.accounts.factories import UserFactory
from tests.accounts.fake_oidc import FakeOIDCServer, generate_key

pytestmark = pytest.mark.django_db

CLAIMS = {
    "sub": "proconnect-sub-42",
    "email": "camille.martin@exemple.gouv.fr",
    "given_name": "Camille",
    "usual_name": "Martin",
    "siret": "11000101300017",
    "uid": "uid-42",
}


@pytest.fixture
def proconnect(settings):
    server = FakeOIDCServer(
        client_id="labelsp-test", client_secret="secret-test", claims=dict(CLAIMS)
    ).start()
    settings.PROCONNECT_CLIENT_ID = server.client_id
    settings.SOCIALACCOUNT_PROVIDERS = {
        "proconnect": {
            "APPS": [
                {
                    "provider_id": "proconnect",
                    "name": "ProConnect",
                    "client_id": server.client_id,
                    "secret": server.client_secret,
                    "settings": {"server_url": server.url},
                }
            ]
        }
    }
    yield server
    server.stop()


@pytest.fixture
def proconnect_disabled(settings):
    settings.PROCONNECT_CLIENT_ID = ""
    settings.SOCIALACCOUNT_PROVIDERS = {}


def start_login(client):
    """POST to the provider login URL: returns the authorization URL we are sent to."""
    response = client.post(reverse("proconnect_login"))
    assert response.status_code == 302
    return response["Location"]


def proconnect_login(client):
    """The whole browser round trip: our login URL, ProConnect's /authorize, back to our callback."""
    authorize = requests.get(start_login(client), allow_redirects=False, timeout=5)
    assert authorize.status_code == 302
    callback = urlsplit(authorize.headers["Location"])
    return client.get(f"{callback.path}?{callback.query}")


def test_authorization_request_carries_nonce_acr_and_scopes(client, proconnect):
    url = urlsplit(start_login(client))
    params = {k: v[0] for k, v in parse_qs(url.query).items()}

    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{proconnect.url}/authorize"
    assert params["client_id"] == "labelsp-test"
    assert params["redirect_uri"] == "http://testserver/compte/proconnect/login/callback/"
    assert params["response_type"] == "code"
    assert params["state"]
    assert len(params["nonce"]) >= 32
    assert params["acr_values"] == "eidas1"
    assert set(params["scope"].split()) == {"openid", "email", "given_name", "usual_name", "siret", "uid"}


def test_each_login_gets_its_own_nonce(client, proconnect):
    first = parse_qs(urlsplit(start_login(client)).query)["nonce"]
    second = parse_qs(urlsplit(start_login(client)).query)["nonce"]
    assert first != second


def test_first_login_creates_the_user_with_the_claims(client, proconnect):
    response = proconnect_login(client)

    assert response.status_code == 302
    assert response["Location"] == resolve_url("accounts:dashboard")
    user = User.objects.get(email=CLAIMS["email"])
    assert client.session["_auth_user_id"] == str(user.pk)
    assert (user.first_name, user.last_name) == ("Camille", "Martin")
    assert EmailAddress.objects.get(user=user, email=CLAIMS["email"]).verified
    account = SocialAccount.objects.get(user=user, provider="proconnect")
    assert account.uid == CLAIMS["sub"]
    assert account.extra_data["userinfo"]["siret"] == CLAIMS["siret"]
    assert not user.memberships.exists()
    assert client.session[ID_TOKEN_SESSION_KEY].count(".") == 2  # the raw ID token, for a later logout


def test_existing_user_with_the_same_email_is_connected_not_duplicated(client, proconnect):
    existing = UserFactory(email=CLAIMS["email"], first_name="Camille", last_name="Martin")

    response = proconnect_login(client)

    assert response.status_code == 302
    assert User.objects.filter(email=CLAIMS["email"]).count() == 1
    assert client.session["_auth_user_id"] == str(existing.pk)
    assert SocialAccount.objects.get(provider="proconnect").user == existing


def test_an_id_token_with_another_nonce_is_refused(client, proconnect):
    proconnect.id_token_nonce = "not-the-nonce-we-sent"

    proconnect_login(client)

    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(email=CLAIMS["email"]).exists()


def test_an_id_token_signed_with_another_key_is_refused(client, proconnect):
    proconnect.id_token_key = generate_key()

    proconnect_login(client)

    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(email=CLAIMS["email"]).exists()


def test_a_userinfo_signed_with_another_key_is_refused(client, proconnect):
    proconnect.userinfo_key = generate_key()

    proconnect_login(client)

    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(email=CLAIMS["email"]).exists()


def test_logout_ends_the_session_here_and_at_proconnect(client, proconnect):
    proconnect_login(client)
    id_token = client.session[ID_TOKEN_SESSION_KEY]

    response = client.post(reverse("proconnect_logout"))

    url = urlsplit(response["Location"])
    params = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{proconnect.url}/session/end"
    assert params["id_token_hint"] == id_token
    assert params["post_logout_redirect_uri"] == "http://testserver" + resolve_url("home")
    assert params["state"]
    assert "_auth_user_id" not in client.session


def test_provider_is_listed_only_when_configured(rf: RequestFactory, settings, proconnect):
    request = rf.get("/compte/login/")
    assert [p.id for p in get_adapter().list_providers(request)] == ["proconnect"]

    settings.PROCONNECT_CLIENT_ID = ""
    settings.SOCIALACCOUNT_PROVIDERS = {}
    assert get_adapter().list_providers(request) == []


def test_without_client_id_there_is_no_proconnect_login(client, proconnect_disabled):
    response = client.get(reverse("account_login"))

    assert response.status_code == 200
    assert "ProConnect" not in response.content.decode()
    assert client.post(reverse("proconnect_login")).status_code == 404


def test_button_posts_to_the_provider_login(rf, proconnect):
    html = render_to_string("proconnect/_button.html", request=rf.get("/compte/login/"))

    assert f'<form method="post" action="{reverse("proconnect_login")}">' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "<script" not in html and "style=" not in html
