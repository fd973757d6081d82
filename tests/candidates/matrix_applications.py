"""Permission matrix of the application file, candidate side (candidates/views/applications.py).

w.application is w.local's file awaiting complements: the candidate may edit it, the central service and the
body's members read it; w.document is one of its pieces. The DITP reads everything and changes nothing.
"""

from django.urls import reverse

from tests.matrix_world import (
    ANONYMOUS,
    AUDITOR,
    CANDIDATE,
    CANDIDATE_OTHER,
    CB_MANAGER,
    CENTRAL,
    CENTRAL_OTHER,
    DITP,
    LOGIN,
    Case,
    not_found_but,
)

# Those who read the file but may not change it get 403, those outside its scope 404.
READ_ONLY = {CENTRAL: 403, AUDITOR: 403, CB_MANAGER: 403, DITP: 403}


def _detail(w):
    return reverse("candidates:application_detail", args=[w.application.pk])


CASES = {
    # Every logged-in user gets the page; those who file no application get an explained empty state.
    "candidates:application_list": Case(
        url=lambda w: reverse("candidates:application_list"), expect={ANONYMOUS: LOGIN}
    ),
    # Only the staff of a local or central service open a file, for the organisation they act for.
    "candidates:application_create": Case(
        url=lambda w: reverse("candidates:application_create"),
        expect=not_found_but(CANDIDATE, CANDIDATE_OTHER, CENTRAL, CENTRAL_OTHER),
    ),
    "candidates:application_detail": Case(
        url=_detail, expect=not_found_but(CANDIDATE, CENTRAL, AUDITOR, CB_MANAGER, DITP)
    ),
    "candidates:application_edit": Case(
        url=lambda w: reverse("candidates:application_edit", args=[w.application.pk]),
        expect={**not_found_but(CANDIDATE), **READ_ONLY},
    ),
    # No file sent: the candidate gets the detail page again with "Ce champ est obligatoire." (200).
    "candidates:document_upload": Case(
        url=lambda w: reverse("candidates:document_upload", args=[w.application.pk]),
        method="post",
        data={"piece": "org_chart"},
        expect={**not_found_but(CANDIDATE), **READ_ONLY},
    ),
    # The file is far from complete: the candidate gets the detail page with the error summary (200).
    "candidates:application_submit": Case(
        url=lambda w: reverse("candidates:application_submit", args=[w.application.pk]),
        method="post",
        expect={**not_found_but(CANDIDATE), **READ_ONLY},
    ),
    # Confirmed: the candidate's file is withdrawn and they are sent back to it (302).
    "candidates:application_withdraw": Case(
        url=lambda w: reverse("candidates:application_withdraw", args=[w.application.pk]),
        method="post",
        data={"confirm": "on"},
        expect={**not_found_but(CANDIDATE, status=302), **READ_ONLY},
    ),
    # The candidate and the body's members talk about a submitted file (302 back to the thread); the central
    # service and the DITP only read it.
    "candidates:message_post": Case(
        url=lambda w: reverse("candidates:message_post", args=[w.application.pk]),
        method="post",
        data={"body": "Voici les compléments demandés."},
        expect={**not_found_but(CANDIDATE, AUDITOR, CB_MANAGER, status=302), CENTRAL: 403, DITP: 403},
    ),
    "candidates:document_download": Case(
        url=lambda w: reverse("candidates:document_download", args=[w.document.pk]),
        expect=not_found_but(CANDIDATE, CENTRAL, AUDITOR, CB_MANAGER, DITP),
    ),
}
