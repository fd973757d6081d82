import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site

from labelsp.emails import queue_email


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        """allauth's messages (verification, password reset…) go through the Celery e-mail queue."""
        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request), **context}
        queue_email(self.render_mail(template_prefix, email, ctx))

    def is_reauthentication_required(self, *, app, **kwargs):
        """No second password prompt for the first TOTP set-up right after logging in.

        Managers and the DITP are sent to the TOTP set-up as soon as they log in (RequireMFAMiddleware).
        allauth would ask for their password again; when they typed it less than
        ACCOUNT_REAUTHENTICATION_TIMEOUT seconds ago and have no authenticator yet, that proves nothing more.
        Changing an existing authenticator still requires reauthentication.
        """
        request = allauth_context.request
        if app == "allauth.mfa" and request is not None and _first_mfa_setup_just_after_login(request):
            return False
        return super().is_reauthentication_required(app=app, **kwargs)


def _first_mfa_setup_just_after_login(request) -> bool:
    from allauth.mfa.models import Authenticator

    user = request.user
    if not user.is_authenticated or Authenticator.objects.filter(user=user).exists():
        return False
    records = get_authentication_records(request, user)
    return bool(records) and time.time() - records[-1]["at"] < account_settings.REAUTHENTICATION_TIMEOUT
