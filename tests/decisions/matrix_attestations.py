"""Permission matrix of attestations (decisions/views/attestations.py)."""

from django.core.files.base import ContentFile
from django.urls import reverse

from decisions.models import Attestation
from tests.candidates.factories import ApplicationFactory
from tests.decisions.factories import DecisionFactory, LabelFactory
from tests.matrix_world import AUDITOR, CANDIDATE, CB_MANAGER, CENTRAL, DITP, Case, not_found_but


def _attestation(w):
    """An attestation of w.local's label, awarded by w.body (stored PDF; no signature needed for access rules)."""
    application = ApplicationFactory(
        contract=w.contract, local_service=w.local, status="closed", outcome="labelled"
    )
    label = LabelFactory(decision=DecisionFactory(application=application))
    attestation = Attestation(
        label=label,
        decision=label.decision,
        version=1,
        number=f"SP-TEST-{label.pk:06d}-v1",
        token=f"jeton-de-matrice-{label.pk:06d}-abcdefghijkl",
    )
    attestation.pdf.save("attestation.pdf", ContentFile(b"%PDF-1.7\n%%EOF\n"), save=False)
    attestation.save()
    return attestation


CASES = {
    # The label's service, its central service, the awarding body's members and the DITP download it; nobody else.
    "decisions:attestation_download": Case(
        url=lambda w: reverse("decisions:attestation_download", args=[_attestation(w).pk]),
        expect=not_found_but(CANDIDATE, CENTRAL, AUDITOR, CB_MANAGER, DITP),
    ),
    # Public (also in PUBLIC): anyone, logged in or not, verifies an attestation by its token or by its file.
    "decisions:attestation_verify": Case(
        url=lambda w: reverse("decisions:attestation_verify", args=[_attestation(w).token]), expect={}
    ),
    "decisions:attestation_check_upload": Case(
        url=lambda w: reverse("decisions:attestation_check_upload"), expect={}
    ),
}
