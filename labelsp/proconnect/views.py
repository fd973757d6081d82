"""ProConnect's OAuth2 adapter and views: allauth's OpenID Connect adapter, with ProConnect's checks.

Compared with allauth's generic adapter, the ID token signature is always checked (not only when the
token did not come straight from the token endpoint), its `nonce` must be the one sent in the
authorization request, and the userinfo response is a signed JWT, verified against the same JWKS.
"""

import requests
from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2Adapter, OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import redirect, resolve_url
from django.utils.crypto import constant_time_compare, get_random_string
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

PROVIDER_ID = "proconnect"
# The raw ID token of the current login, needed as `id_token_hint` to log out at ProConnect.
ID_TOKEN_SESSION_KEY = "proconnect_id_token"  # noqa: S105 (a session key name, not a secret)
JWT_CONTENT_TYPE = "application/jwt"


class ProConnectOAuth2Adapter(OpenIDConnectOAuth2Adapter):
    # Set by the callback view from the stashed login state: it holds the nonce sent to ProConnect.
    state: dict | None = None

    # One fixed provider: the plain `proconnect_callback` URL, not the generic OpenID Connect one.
    get_callback_url = OAuth2Adapter.get_callback_url

    def __init__(self, request, provider_id=PROVIDER_ID):
        super().__init__(request, provider_id)

    def complete_login(self, request, app, token, **kwargs):
        id_token = kwargs["response"].get("id_token")
        if not id_token:
            raise OAuth2Error("ProConnect returned no id_token.")
        id_claims = self._decode_id_token(app, id_token)
        userinfo = self._fetch_user_info(token.token)
        if userinfo.get("sub") != id_claims.get("sub"):
            raise OAuth2Error("The userinfo subject is not the ID token's.")
        request.session[ID_TOKEN_SESSION_KEY] = id_token
        return self.get_provider().sociallogin_from_response(
            request, {"id_token": id_claims, "userinfo": userinfo}
        )

    def _decode_id_token(self, app, id_token):
        claims = self._verify_jwt(id_token, audience=app.client_id)
        expected_nonce = (self.state or {}).get("nonce")
        if not expected_nonce or not constant_time_compare(str(claims.get("nonce", "")), expected_nonce):
            raise OAuth2Error("The ID token nonce is not the one sent.")
        return claims

    def _fetch_user_info(self, access_token):
        with get_adapter().get_requests_session() as session:
            response = session.get(self.profile_url, headers={"Authorization": f"Bearer {access_token}"})
            response.raise_for_status()
        content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
        if content_type != JWT_CONTENT_TYPE:
            raise OAuth2Error(f"ProConnect userinfo is {content_type!r}, a signed JWT was expected.")
        return self._verify_jwt(response.text, audience=self.get_provider().app.client_id)

    def _verify_jwt(self, credential, *, audience):
        """Checks the signature (JWKS from the discovery document), issuer, audience and expiry."""
        return jwtkit.verify_and_decode(
            credential=credential,
            keys_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=audience,
            lookup_kid=jwtkit.lookup_kid_jwk,
        )


class ProConnectCallbackView(OAuth2CallbackView):
    def _get_state(self, request, provider):
        # allauth does not hand the stashed state to `complete_login`; the adapter needs its nonce.
        state, response = super()._get_state(request, provider)
        self.adapter.state = state
        return state, response


@login_not_required
def oauth2_login(request):
    try:
        return OAuth2LoginView.adapter_view(ProConnectOAuth2Adapter)(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None


@login_not_required
def oauth2_callback(request):
    try:
        return ProConnectCallbackView.adapter_view(ProConnectOAuth2Adapter)(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None


@require_POST
def logout(request):
    """Ends the local session, then the ProConnect one (RP-initiated logout, with the ID token as hint).

    Without a ProConnect ID token in the session (password login), this is a plain logout.
    """
    id_token = request.session.get(ID_TOKEN_SESSION_KEY)
    end_session_url = None
    if id_token:
        try:
            end_session_url = ProConnectOAuth2Adapter(request).openid_config.get("end_session_endpoint")
        except (SocialApp.DoesNotExist, requests.RequestException):
            end_session_url = None  # ProConnect off or unreachable: at least end the local session
    get_account_adapter(request).logout(request)
    after_logout = resolve_url(settings.LOGOUT_REDIRECT_URL)
    if not end_session_url:
        return redirect(after_logout)
    params = {
        "id_token_hint": id_token,
        "state": get_random_string(32),
        "post_logout_redirect_uri": request.build_absolute_uri(after_logout),
    }
    return redirect(f"{end_session_url}?{urlencode(params)}")
