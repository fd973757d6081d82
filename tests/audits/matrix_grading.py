"""Permission matrix of the auditor's tablet (audits/views/grading.py): only the assigned auditor grades and records
the closing meeting; the manifest and the service worker hold no data and answer everyone."""

from django.urls import reverse

from tests.audits.matrix_support import audit_of
from tests.matrix_world import AUDITOR, Case, not_found_but

CASES = {
    # The assigned auditor (AUDITOR) only: the body's manager, the other auditors, the candidate and the DITP get
    # 404, as for every audit they are not assigned to.
    "audits:grading": Case(
        url=lambda w: reverse("audits:grading", args=[audit_of(w).pk]),
        expect=not_found_but(AUDITOR),
    ),
    "audits:closing_meeting": Case(
        url=lambda w: reverse("audits:closing_meeting", args=[audit_of(w).pk]),
        method="post",
        data={"closing_summary": "Accueil exemplaire, affichage des engagements à compléter."},
        expect=not_found_but(AUDITOR, status=302),
    ),
    # Static content needed before login (installing the app, registering the worker): public.
    "audits:manifest": Case(url=lambda w: reverse("audits:manifest"), expect={}, default=200),
    "audits:service_worker": Case(url=lambda w: reverse("audits:service_worker"), expect={}, default=200),
}
