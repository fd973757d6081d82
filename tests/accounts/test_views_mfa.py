"""Second factor: enforced for certification-body managers, the DITP and admin staff (issue #2)."""

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, hotp_value, yield_hotp_counters_from_time
from django.urls import reverse

from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory, give_totp

pytestmark = pytest.mark.django_db


def _current_code(totp) -> str:
    counter = next(iter(yield_hotp_counters_from_time()))
    secret = totp.instance.data["secret"]
    from allauth.mfa.utils import decrypt

    return f"{hotp_value(decrypt(secret), counter):06d}"


@pytest.mark.parametrize("trait", ["cb_manager", "ditp"])
def test_managers_without_totp_are_sent_to_totp_setup(client, trait):
    user = UserFactory(**{trait: True})
    response = client.post(reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD})
    assert client.session["_auth_user_id"] == str(user.pk)
    response = client.get(reverse("accounts:dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    # The setup page opens at once (the password was typed seconds ago) and says why it is there.
    setup = client.get(reverse("mfa_activate_totp"))
    assert setup.status_code == 200
    assert "Votre rôle exige une authentification à deux facteurs" in setup.content.decode()

    # Scanning the QR code and typing the current code activates TOTP: the platform opens.
    secret = client.session[SECRET_SESSION_KEY]
    counter = next(iter(yield_hotp_counters_from_time()))
    response = client.post(reverse("mfa_activate_totp"), {"code": f"{hotp_value(secret, counter):06d}"})
    assert response.status_code == 302
    assert client.get(reverse("accounts:dashboard")).status_code == 200


def test_staff_without_totp_cannot_reach_the_admin(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.post(reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD})
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.parametrize("trait", ["candidate", "central", "auditor", "commission"])
def test_other_roles_are_not_forced_to_set_up_totp(client, trait):
    client.force_login(UserFactory(**{trait: True}))
    assert client.get(reverse("accounts:dashboard")).status_code == 200


def test_login_with_totp_asks_for_the_code_then_lets_in(client):
    user = UserFactory(cb_manager=True)
    totp = give_totp(user)
    response = client.post(reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session  # not logged in with the password alone

    wrong = client.post(
        reverse("mfa_authenticate"), {"code": "000000" if _current_code(totp) != "000000" else "111111"}
    )
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session

    response = client.post(reverse("mfa_authenticate"), {"code": _current_code(totp)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get(reverse("accounts:dashboard")).status_code == 200


def test_totp_setup_asks_for_the_password_again_once_the_login_is_old(client):
    user = UserFactory(cb_manager=True)
    with time_machine.travel("2026-11-23 09:00 +01:00", tick=False) as traveller:
        client.post(reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD})
        traveller.shift(299)
        assert client.get(reverse("mfa_activate_totp")).status_code == 200
        traveller.shift(2)  # 301 s after the login: past ACCOUNT_REAUTHENTICATION_TIMEOUT (300 s)
        response = client.get(reverse("mfa_activate_totp"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_reauthenticate"))
        client.post(response["Location"], {"password": DEFAULT_PASSWORD})
        assert client.get(reverse("mfa_activate_totp")).status_code == 200


def test_changing_an_existing_authenticator_always_requires_reauthentication(client):
    user = UserFactory(cb_manager=True)
    totp = give_totp(user)
    client.post(reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": _current_code(totp)})
    response = client.get(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
