"""Permission matrix of the DITP back office (registry/views/backoffice.py).

Every page and every habilitation decision is the DITP's only: every other persona gets 404 (the pages' existence
does not leak), anonymous visitors go to the login. The decisions are POST forms; the DITP's succeeds and
redirects to the body's page.
"""

from django.urls import reverse
from django.utils import timezone

from registry.enums import HabilitationStatus
from registry.models import CertificationBody
from tests.matrix_world import DITP, Case, not_found_but

DITP_ONLY = not_found_but(DITP)
DITP_DECIDES = not_found_but(DITP, status=302)


def _today():
    return timezone.localdate().isoformat()


def _body_in(w, status):
    CertificationBody.objects.filter(pk=w.body.pk).update(habilitation_status=status)
    return w.body.pk


CASES = {
    "registry:backoffice_home": Case(url=lambda w: reverse("registry:backoffice_home"), expect=DITP_ONLY),
    "registry:habilitation_list": Case(url=lambda w: reverse("registry:habilitation_list"), expect=DITP_ONLY),
    "registry:habilitation_detail": Case(
        url=lambda w: reverse("registry:habilitation_detail", args=[w.body.pk]), expect=DITP_ONLY
    ),
    "registry:publication_controls": Case(
        url=lambda w: reverse("registry:publication_controls"), expect=DITP_ONLY
    ),
    # A withdrawn body is habilitated again.
    "registry:habilitation_grant": Case(
        url=lambda w: reverse(
            "registry:habilitation_grant", args=[_body_in(w, HabilitationStatus.WITHDRAWN)]
        ),
        method="post",
        data={"grant-signed_on": _today(), "grant-starts_on": _today()},
        expect=DITP_DECIDES,
    ),
    "registry:habilitation_renew": Case(
        url=lambda w: reverse("registry:habilitation_renew", args=[w.body.pk]),
        method="post",
        data={"renew-signed_on": _today()},
        expect=DITP_DECIDES,
    ),
    "registry:habilitation_suspend": Case(
        url=lambda w: reverse("registry:habilitation_suspend", args=[w.body.pk]),
        method="post",
        data={"suspend-reason": "Accréditation COFRAC suspendue."},
        expect=DITP_DECIDES,
    ),
    "registry:habilitation_lift": Case(
        url=lambda w: reverse("registry:habilitation_lift", args=[_body_in(w, HabilitationStatus.SUSPENDED)]),
        method="post",
        data={"lift-reason": "Accréditation rétablie."},
        expect=DITP_DECIDES,
    ),
    "registry:habilitation_withdraw": Case(
        url=lambda w: reverse("registry:habilitation_withdraw", args=[w.body.pk]),
        method="post",
        data={"withdraw-reason": "Contrat d’engagement résilié."},
        expect=DITP_DECIDES,
    ),
}
