"""ProConnect, the State's OpenID Connect for public agents, as a django-allauth provider.

It is allauth's generic OpenID Connect provider plus what ProConnect requires: a `nonce` in the
authorization request (kept in allauth's stashed login state, checked in the ID token on return),
`acr_values=eidas1`, its scopes and claims (`usual_name` is the family name), and e-mail addresses
that ProConnect has already verified. Enabled when `PROCONNECT_CLIENT_ID` is set (see settings).
"""

from allauth.socialaccount.providers.oauth2.provider import OAuth2Provider
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from django.utils.crypto import get_random_string

from labelsp.proconnect.views import PROVIDER_ID, ProConnectOAuth2Adapter

NONCE_LENGTH = 32
ACR_VALUES = "eidas1"


def _claims(data: dict) -> dict:
    """The userinfo claims (ProConnect's reference for identity), else the ID token's."""
    return data.get("userinfo") or data.get("id_token") or {}


class ProConnectProvider(OpenIDConnectProvider):
    id = PROVIDER_ID
    name = "ProConnect"
    oauth2_adapter_class = ProConnectOAuth2Adapter
    # Logging in by posting an ID token (headless) would skip the nonce check.
    supports_token_authentication = False

    # One fixed provider: plain `proconnect_login` / `proconnect_callback` URLs, no provider_id segment.
    get_login_url = OAuth2Provider.get_login_url
    get_callback_url = OAuth2Provider.get_callback_url

    def get_default_scope(self):
        return ["openid", "email", "given_name", "usual_name", "siret", "uid"]

    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        nonce = get_random_string(NONCE_LENGTH)
        auth_params = kwargs.pop("auth_params", None)
        if auth_params is None:
            auth_params = self.get_auth_params()
        auth_params.update(nonce=nonce, acr_values=ACR_VALUES)
        # Extra keyword arguments are stashed in the login state, where the callback finds the nonce.
        return super().redirect(
            request, process, next_url, data, auth_params=auth_params, nonce=nonce, **kwargs
        )

    def extract_common_fields(self, data):
        claims = _claims(data)
        return {
            "email": claims.get("email"),
            "first_name": claims.get("given_name", ""),
            "last_name": claims.get("usual_name", ""),
        }

    def extract_email_addresses(self, data):
        addresses = super().extract_email_addresses(data)
        for address in addresses:
            address.verified = True  # ProConnect only hands out e-mail addresses it has verified
        return addresses


provider_classes = [ProConnectProvider]
