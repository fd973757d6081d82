"""Accounts through django-allauth: signup, e-mail verification, login, rate limit, password reset, MFA,
and every allauth page rendered in our DSFR shell under the Content-Security-Policy."""

import re
import time
from html.parser import HTMLParser

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.core import mail
from django.urls import URLResolver, get_resolver, reverse

from labelsp.accounts.models import User
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory, give_totp

pytestmark = pytest.mark.django_db

NEW_EMAIL = "nouvel.agent@exemple.gouv.fr"
NEW_PASSWORD = "Un-autre-mot-de-passe-2027"
DASHBOARD = "/espace/"
# allauth's French messages (allauth ships the translations).
WRONG_CREDENTIALS = "L’adresse e-mail ou le mot de passe sont incorrects."
TOO_MANY_ATTEMPTS = "Trop de tentatives de connexion échouées. Veuillez réessayer ultérieurement."


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def current_code(secret: str) -> str:
    """What the authenticator app shows now (waiting for the next period if this one is about to end)."""
    period = mfa_settings.TOTP_PERIOD
    remaining = period - time.time() % period
    if remaining < 1:
        time.sleep(remaining)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def totp_code(user) -> str:
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return current_code(decrypt(authenticator.data["secret"]))


def sign_in(client, user, password=DEFAULT_PASSWORD):
    """Log in through the login form (and the second factor if the user has one), like a browser.

    The landing page is fetched, as the browser would, which shows (and consumes) the "logged in" message.
    """
    response = client.post(reverse("account_login"), {"login": user.email, "password": password})
    if response.status_code == 302 and response["Location"] == reverse("mfa_authenticate"):
        response = client.post(reverse("mfa_authenticate"), {"code": totp_code(user)})
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == DASHBOARD
    assert client.get(DASHBOARD).status_code == 200
    return client


def reauthenticate(client, password=DEFAULT_PASSWORD):
    """Confirm the password, as allauth asks before MFA changes (TOTP, recovery codes)."""
    response = client.post(reverse("account_reauthenticate"), {"password": password})
    assert response.status_code == 302, response.content.decode()
    return client


def link_in(message, path_prefix: str) -> str:
    """The path of the first link of the e-mail `message` that starts with `path_prefix`."""
    match = re.search(rf"https?://[^/\s]+({re.escape(path_prefix)}\S+)", message.body)
    assert match, message.body
    return match.group(1)


def error_alert(html: str) -> str:
    """The text of the form-level error alert (a DSFR alert at the top of the form)."""
    match = re.search(r'<div class="fr-alert fr-alert--error[^"]*" role="alert">(.*?)</div>', html, re.S)
    assert match, "no form-level error alert"
    return match.group(1)


# --- Signup and e-mail verification ---------------------------------------------------------------


def test_signup_sends_a_verification_email_and_login_waits_for_it(client):
    response = client.post(
        reverse("account_signup"), {"email": NEW_EMAIL, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert not is_logged_in(client)
    user = User.objects.get(email=NEW_EMAIL)
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [NEW_EMAIL]
    assert mail.outbox[0].subject.startswith("[Services Publics +] ")
    assert "/compte/confirm-email/" in mail.outbox[0].body

    response = client.post(reverse("account_login"), {"login": NEW_EMAIL, "password": NEW_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert not is_logged_in(client)
    assert client.get(DASHBOARD)["Location"].startswith(reverse("account_login"))


def test_signup_with_a_weak_password_shows_the_error_next_to_the_field(client):
    response = client.post(
        reverse("account_signup"), {"email": NEW_EMAIL, "password1": "court", "password2": "court"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert not User.objects.filter(email=NEW_EMAIL).exists()
    assert 'class="fr-input-group fr-input-group--error"' in html
    assert re.search(r'<input[^>]*aria-describedby="[^"]*id_password1_error', html)
    error = re.search(r'<div id="id_password1_error">(.*?)</div>', html, re.S).group(1)
    assert 'class="fr-error-text"' in error
    assert "Ce mot de passe est trop court" in error


def test_following_the_confirmation_link_verifies_the_address_and_logs_in(client):
    client.post(
        reverse("account_signup"), {"email": NEW_EMAIL, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    confirm_path = link_in(mail.outbox[0], "/compte/confirm-email/")

    page = client.get(confirm_path)
    assert page.status_code == 200
    assert "fr-header" in page.content.decode()
    response = client.post(confirm_path)

    assert response.status_code == 302
    assert response["Location"] == DASHBOARD
    user = User.objects.get(email=NEW_EMAIL)
    assert EmailAddress.objects.get(user=user, email=NEW_EMAIL).verified
    assert client.session["_auth_user_id"] == str(user.pk)


# --- Login ----------------------------------------------------------------------------------------


def test_login_with_a_verified_email_lands_on_the_dashboard(client):
    user = UserFactory()

    response = client.post(reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == DASHBOARD
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get(DASHBOARD).status_code == 200


def test_a_wrong_password_shows_the_error_above_the_form_and_does_not_log_in(client):
    user = UserFactory()

    response = client.post(
        reverse("account_login"), {"login": user.email, "password": "pas-le-bon-mot-de-passe"}
    )

    assert response.status_code == 200
    assert WRONG_CREDENTIALS in error_alert(response.content.decode())
    assert not is_logged_in(client)


def test_after_five_failed_logins_the_account_is_locked_even_with_the_right_password(client):
    """ACCOUNT_RATE_LIMITS["login_failed"] = "10/m/ip,5/5m/key" (key = the e-mail address).

    allauth 65 does not answer 429 here: the login form is shown again (200) with a form error.
    The 429 comes from the "login" limit on the view itself (see the next test).
    """
    user = UserFactory()
    for _ in range(5):
        response = client.post(
            reverse("account_login"), {"login": user.email, "password": "mauvais-mot-de-passe"}
        )
        assert WRONG_CREDENTIALS in error_alert(response.content.decode())

    response = client.post(reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD})

    assert response.status_code == 200
    alert = error_alert(response.content.decode())
    assert TOO_MANY_ATTEMPTS in alert
    assert WRONG_CREDENTIALS not in alert
    assert not is_logged_in(client)
    # The limit is per address: someone else can still log in from the same place.
    sign_in(client, UserFactory())


def test_more_than_thirty_login_posts_a_minute_from_one_ip_get_429(client):
    """ACCOUNT_RATE_LIMITS["login"] = "30/m/ip", on the login view: the 31st POST is refused with 429."""
    user = UserFactory()
    for _ in range(30):
        assert (
            client.post(reverse("account_login"), {"login": user.email, "password": "x"}).status_code == 200
        )

    response = client.post(reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD})

    assert response.status_code == 429
    assert not is_logged_in(client)
    assert "Trop de tentatives" in response.content.decode()  # our French DSFR page, not allauth's fallback


# --- Password reset -------------------------------------------------------------------------------


def test_password_reset_link_sets_a_new_password_that_logs_in(client):
    user = UserFactory()

    response = client.post(reverse("account_reset_password"), {"email": user.email})

    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    # allauth swaps the key in the URL for a session entry, then shows the form.
    response = client.get(link_in(mail.outbox[0], "/compte/password/reset/key/"), follow=True)
    assert response.status_code == 200
    form_path = response.redirect_chain[-1][0]
    assert 'id="id_password1"' in response.content.decode()

    response = client.post(form_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_from_key_done")
    assert not is_logged_in(client)
    failed = client.post(reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD})
    assert WRONG_CREDENTIALS in error_alert(failed.content.decode())
    sign_in(client, user, password=NEW_PASSWORD)


# --- Second factor --------------------------------------------------------------------------------


def test_login_with_totp_asks_for_the_code_and_checks_it(client):
    user = UserFactory()
    give_totp(user)

    response = client.post(reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    assert not is_logged_in(client)

    response = client.post(
        reverse("mfa_authenticate"), {"code": "000000" if totp_code(user) != "000000" else "111111"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert '<label class="fr-label" for="id_code">' in html
    assert re.search(r'<div id="id_code_error">\s*<p class="fr-error-text">Code incorrect.</p>', html)
    assert not is_logged_in(client)

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(user)})
    assert response["Location"] == DASHBOARD
    assert client.session["_auth_user_id"] == str(user.pk)


def test_activating_totp_shows_the_qr_code_and_creates_recovery_codes(client):
    user = UserFactory()
    sign_in(client, user)
    # First set-up right after logging in: no second password prompt (labelsp.accounts.adapter).
    page = client.get(reverse("mfa_activate_totp"))
    html = page.content.decode()
    assert page.status_code == 200
    assert re.search(r'<img src="data:image/svg\+xml;base64,[^"]+" alt="QR code', html)
    assert '<label class="fr-label" for="authenticator_secret">' in html
    secret = client.session[SECRET_SESSION_KEY]
    assert f'value="{secret}"' in html

    response = client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})

    assert response.status_code == 302
    assert set(Authenticator.objects.filter(user=user).values_list("type", flat=True)) == {
        Authenticator.Type.TOTP,
        Authenticator.Type.RECOVERY_CODES,
    }


# --- Every allauth page in the DSFR shell, under the CSP ------------------------------------------

ANONYMOUS = "anonymous"
USER = "user"  # logged in by password (just confirmed again), no second factor
NO_PASSWORD = "user without a password"  # e.g. came through ProConnect
TOTP_USER = "user with TOTP and recovery codes"  # logged in with both factors, password just confirmed
LOGIN_STAGE = "between password and second factor"

PAGES = [
    ("account_login", {}, ANONYMOUS),
    ("account_signup", {}, ANONYMOUS),
    ("account_reset_password", {}, ANONYMOUS),
    ("account_reset_password_done", {}, ANONYMOUS),
    ("account_reset_password_from_key", {"uidb36": "0", "key": "cle-invalide"}, ANONYMOUS),
    ("account_reset_password_from_key_done", {}, ANONYMOUS),
    ("account_email_verification_sent", {}, ANONYMOUS),
    ("account_confirm_email", {"key": "cle-invalide"}, ANONYMOUS),
    ("account_inactive", {}, ANONYMOUS),
    ("account_email", {}, USER),
    ("account_change_password", {}, USER),
    ("account_set_password", {}, NO_PASSWORD),
    ("account_reauthenticate", {}, USER),
    ("account_logout", {}, USER),
    ("mfa_index", {}, USER),
    ("mfa_activate_totp", {}, USER),
    ("mfa_authenticate", {}, LOGIN_STAGE),
    ("mfa_index", {}, TOTP_USER),
    ("mfa_reauthenticate", {}, TOTP_USER),
    ("mfa_deactivate_totp", {}, TOTP_USER),
    ("mfa_view_recovery_codes", {}, TOTP_USER),
    ("mfa_generate_recovery_codes", {}, TOTP_USER),
    ("socialaccount_login_cancelled", {}, ANONYMOUS),
    ("socialaccount_login_error", {}, USER),  # allauth does not exempt it from LoginRequiredMiddleware
    ("socialaccount_connections", {}, USER),
]
# Pages answered with another status than 200 (allauth's choice).
STATUS = {"socialaccount_login_error": 401}
# URL names of allauth's account, mfa and socialaccount apps not checked here, and why.
ALLAUTH_APPS = ("allauth.account", "allauth.mfa", "allauth.socialaccount")
NOT_CHECKED = {
    "account_confirm_login_code": "login by code is off",
    "mfa_download_recovery_codes": "a text file (test_recovery_codes_download)",
    "socialaccount_signup": "only during a ProConnect login (tests/accounts/test_proconnect.py)",
}


@pytest.fixture
def as_persona(client, login):
    def _as(persona):
        if persona == ANONYMOUS:
            return client
        user = UserFactory()
        if persona == USER:
            return reauthenticate(sign_in(client, user))
        if persona == NO_PASSWORD:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            return login(user)
        give_totp(user)
        RecoveryCodes.activate(user)
        if persona == TOTP_USER:
            return reauthenticate(sign_in(client, user))
        assert persona == LOGIN_STAGE
        client.post(reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD})
        return client

    return _as


class PageAudit(HTMLParser):
    """Collects what the CSP and the RGAA checks need from a page."""

    def __init__(self):
        super().__init__()
        self.csp_violations = []
        self.labelled_ids = set()
        self.controls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in attrs:
            if name == "style" or name.startswith("on"):
                self.csp_violations.append(f"<{tag} {name}=...>")
        if tag == "style":
            self.csp_violations.append("<style>")
        if tag == "script" and "nonce" not in attrs:
            # Without a nonce, only same-origin files (script-src 'self') and data blocks (never run) pass.
            external = (attrs.get("src") or "").startswith("/static/")
            data_block = attrs.get("type") == "application/json"
            if not (external or data_block):
                self.csp_violations.append(f"<script {attrs}>")
        if tag == "label" and attrs.get("for"):
            self.labelled_ids.add(attrs["for"])
        if tag in {"input", "select", "textarea"} and attrs.get("type") not in {"hidden", "submit", "button"}:
            self.controls.append(attrs.get("id") or attrs.get("name"))

    def unlabelled_controls(self):
        return [control for control in self.controls if control not in self.labelled_ids]


def audit(html: str) -> PageAudit:
    page = PageAudit()
    page.feed(html)
    return page


@pytest.mark.parametrize(("url_name", "kwargs", "persona"), PAGES, ids=[f"{n}-{p}" for n, _, p in PAGES])
def test_allauth_page_renders_in_the_dsfr_shell_under_the_csp(as_persona, url_name, kwargs, persona):
    client = as_persona(persona)

    response = client.get(reverse(url_name, kwargs=kwargs))

    assert response.status_code == STATUS.get(url_name, 200)
    html = response.content.decode()
    assert "fr-header" in html
    assert "fr-footer" in html
    assert "<h1" in html
    assert "Menu:" not in html  # allauth's bare layout
    page = audit(html)
    assert page.csp_violations == []
    assert page.unlabelled_controls() == []


def test_every_allauth_page_is_checked():
    """A new allauth page (an upgrade, a new feature switched on) must join PAGES or NOT_CHECKED."""

    def names(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from names(pattern.url_patterns)
            elif pattern.name and pattern.callback.__module__.startswith(ALLAUTH_APPS):
                yield pattern.name

    assert set(names(get_resolver().url_patterns)) == {name for name, _, _ in PAGES} | set(NOT_CHECKED)


def test_recovery_codes_download(as_persona):
    client = as_persona(TOTP_USER)
    user = User.objects.get(pk=client.session["_auth_user_id"])

    response = client.get(reverse("mfa_download_recovery_codes"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    codes = response.content.decode().split()
    assert (
        codes == RecoveryCodes(Authenticator.objects.get(user=user, type="recovery_codes")).get_unused_codes()
    )


def test_the_login_page_shows_proconnect_above_the_form_when_it_is_configured(client, settings):
    settings.PROCONNECT_CLIENT_ID = "labelsp-test"
    settings.SOCIALACCOUNT_PROVIDERS = {
        "proconnect": {
            "APPS": [
                {
                    "provider_id": "proconnect",
                    "name": "ProConnect",
                    "client_id": "labelsp-test",
                    "secret": "secret-test",
                    "settings": {"server_url": "https://proconnect.example"},
                }
            ]
        }
    }

    html = client.get(reverse("account_login")).content.decode()

    proconnect, separator, form = (
        html.index("fr-connect"),
        html.index('class="fr-hr-or"'),
        html.index('id="id_login"'),
    )
    assert proconnect < separator < form


def test_the_login_page_has_no_proconnect_when_it_is_not_configured(client, settings):
    settings.PROCONNECT_CLIENT_ID = ""

    html = client.get(reverse("account_login")).content.decode()

    assert "fr-connect" not in html
    assert "fr-hr-or" not in html
    assert 'id="id_login"' in html


def test_a_page_with_a_flash_message_has_no_inline_handler(client):
    user = UserFactory()
    client.post(reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD})

    html = client.get(reverse("account_email")).content.decode()

    assert "fr-alert" in html
    assert audit(html).csp_violations == []
