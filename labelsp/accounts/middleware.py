from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from labelsp.accounts.enums import MFA_REQUIRED_ROLES
from labelsp.accounts.services import SESSION_KEY

# Pages a user who still has to set up a second factor may reach (allauth's pages, assets, health).
MFA_SETUP_ALLOWED_PREFIXES = ("/compte/", "/static/", "/i18n/", "/sante/")


class ActiveMembershipMiddleware:
    """Sets `request.memberships` (active ones) and `request.membership`, the one the user acts through:
    the one chosen in the session, else the first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.memberships = []
        request.membership = None
        if request.user.is_authenticated:
            request.memberships = list(request.user.memberships.active().with_organisations())
            chosen = request.session.get(SESSION_KEY)
            request.membership = next(
                (m for m in request.memberships if m.pk == chosen),
                request.memberships[0] if request.memberships else None,
            )
        return self.get_response(request)


class RequireMFAMiddleware:
    """Certification-body managers, the DITP and admin staff cannot use the platform before enabling TOTP."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(MFA_SETUP_ALLOWED_PREFIXES)
            and (user.is_staff or any(m.role in MFA_REQUIRED_ROLES for m in request.memberships))
            and not _has_totp(user)
        ):
            messages.info(
                request,
                _(
                    "Votre rôle exige une authentification à deux facteurs : activez une application "
                    "d’authentification pour continuer."
                ),
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


def _has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
