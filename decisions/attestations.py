"""The label's attestation: a signed PDF, verifiable by anyone (issue #6; guide §2.3, §3.9).

Each version is rendered from templates/pdf/attestation.html as PDF/A-3b (WeasyPrint), then signed (PAdES,
decisions/signing.py) by the certification body, by an incremental update: PDF/A-3 allows signatures, and the
signature covers every byte of the rendered document. The platform stores the signed file and its SHA-256. A QR code
on the attestation leads to the public verification page, reached by a random token, which tells the current status
of the label — the PDF itself keeps saying what was true the day it was issued.
"""

import base64
import datetime
import hashlib
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from decisions.enums import LabelStatus
from decisions.models import Attestation, Decision, Label, Withdrawal
from labelsp.links import absolute_url
from labelsp.pdf import render_pdf

# PDF/A-3b: archivable (fonts embedded, colour profile, XMP metadata) and compatible with an appended signature.
PDF_VARIANT = "pdf/a-3b"
TOKEN_BYTES = 24
QR_MASK_PATTERN = 2
# What the public pages show of an attestation.
PUBLIC_RELATED = (
    "label",
    "label__local_service",
    "label__central_service",
    "label__certification_body",
    "decision",
)


class AttestationStatus(models.TextChoices):
    """What the verification page says of an attestation today, whatever the PDF says."""

    VALID = "valid", _("Valide")
    SUSPENDED = "suspended", _("Label suspendu")
    WITHDRAWN = "withdrawn", _("Label retiré")
    EXPIRED = "expired", _("Label expiré")
    REPLACED = "replaced", _("Remplacée par une version plus récente")


# The DSFR alert type of each status on the verification page.
STATUS_ALERT = {
    AttestationStatus.VALID: "success",
    AttestationStatus.SUSPENDED: "warning",
    AttestationStatus.WITHDRAWN: "error",
    AttestationStatus.EXPIRED: "error",
    AttestationStatus.REPLACED: "info",
}


def attestation_status(attestation: Attestation, on: datetime.date | None = None) -> AttestationStatus:
    """The current status of an attestation. The label's state comes first (withdrawn from its effective date,
    replaced once renewed, expired after its last day, suspended while it is), then whether a newer version of it
    exists (an upgrade or an extension issues one, §3.8.1); otherwise it is valid."""
    on = on or timezone.localdate()
    label = attestation.label
    if (
        label.status == LabelStatus.WITHDRAWN
        or Withdrawal.objects.filter(label_id=label.pk, effective_on__lte=on).exists()
    ):
        return AttestationStatus.WITHDRAWN
    if Label.objects.filter(renews_id=label.pk, starts_on__lte=on).exists():
        # Renewed: the new cycle's attestation replaces this one (its label ended the day before).
        return AttestationStatus.REPLACED
    if label.is_expired(on):
        return AttestationStatus.EXPIRED
    if label.status == LabelStatus.SUSPENDED:
        return AttestationStatus.SUSPENDED
    if Attestation.objects.filter(label_id=label.pk, version__gt=attestation.version).exists():
        return AttestationStatus.REPLACED
    return AttestationStatus.VALID


def verification_url(token: str) -> str:
    return absolute_url(reverse("decisions:attestation_verify", args=[token]))


def qr_code_data_uri(url: str) -> str:
    """A PNG QR code, one pixel per module, enlarged by the stylesheet without smoothing (a PNG costs WeasyPrint a
    fraction of an SVG path's rendering time). The mask pattern is fixed: any of the eight is valid for every
    reader, and trying them all to pick the "best" one was two thirds of the attestation's QR time (make bench).
    Error correction M (15 %) keeps it readable on a printed, folded copy."""
    import io

    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=1, border=0, mask_pattern=QR_MASK_PATTERN)
    code.add_data(url)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def network_labels(central_service, on: datetime.date):
    """The central service's annex: every local of its network holding an active label on `on`."""
    return (
        Label.objects.in_force(on)
        .filter(local_service__parent=central_service, status=LabelStatus.ACTIVE)
        .select_related("local_service")
        .order_by("local_service__name", "local_service__pk")
    )


def attestation_context(*, label: Label, decision: Decision, number: str, token: str, on=None) -> dict:
    """Everything the attestation shows (§2.3): the service and every site it covers, tier, decision date,
    validity, body, number, grid version; the central process for a local, the network's annex for a central."""
    from candidates.models import Site

    on = on or timezone.localdate()
    application = decision.application
    audit = application.audits.select_related("grid").first()
    url = verification_url(token)
    central_process = None
    if application.central_application_id:
        central_process = application.central_application.central_service
    return {
        "number": number,
        "label": label,
        "decision": decision,
        "tier": decision.get_tier_display() if decision.tier else label.get_tier_display(),
        "service": label.local_service or label.central_service,
        "is_central": label.central_service_id is not None,
        "sites": (
            list(Site.objects.filter(local_service_id=label.local_service_id, is_active=True))
            if label.local_service_id
            else []
        ),
        "body": label.certification_body,
        "grid": audit.grid if audit else None,
        "central_process": central_process,
        "annex": list(network_labels(label.central_service, on)) if label.central_service_id else [],
        "verification_url": url,
        "qr_code": qr_code_data_uri(url),
        "issued_on": on,
    }


def render_attestation(context: dict) -> bytes:
    return render_pdf(
        "pdf/attestation.html", context, stylesheets=("css/attestation.css",), pdf_variant=PDF_VARIANT
    )


@transaction.atomic
def attestation_issue(*, label: Label, decision: Decision) -> Attestation:
    """Issue the next version of the label's attestation: a unique number, a random verification token, the PDF
    rendered, signed by the body (SigningKeyMissing — a ValidationError — when it has no key) and stored with its
    SHA-256. An upgrade or an extension calls it again; earlier versions then read as replaced."""
    from decisions.signing import SigningKeyMissing, has_signing_key, make_signing_key, sign_pdf

    body = label.certification_body
    if not has_signing_key(body):
        if not settings.DEBUG:
            raise SigningKeyMissing(body)
        # Demo only (DEBUG): a self-signed key so that a fresh database can issue attestations.
        make_signing_key(siret=body.siret, name=body.name)
    # Serialise the versions of one label.
    Label.objects.select_for_update().filter(pk=label.pk).first()
    version = (Attestation.objects.filter(label=label).aggregate(last=Max("version"))["last"] or 0) + 1
    number = f"SP-{decision.decided_on:%Y}-{label.pk:06d}-v{version}"
    token = secrets.token_urlsafe(TOKEN_BYTES)
    pdf = render_attestation(attestation_context(label=label, decision=decision, number=number, token=token))
    signed = sign_pdf(pdf, body)
    attestation = Attestation(
        label=label,
        decision=decision,
        version=version,
        number=number,
        token=token,
        sha256=hashlib.sha256(signed).hexdigest(),
    )
    attestation.pdf.save(f"{number}.pdf", ContentFile(signed), save=False)
    attestation.save()
    return attestation


def attestation_find(sha256: str) -> Attestation | None:
    """The stored attestation whose signed file has this SHA-256, if any."""
    return Attestation.objects.filter(sha256=sha256).select_related(*PUBLIC_RELATED).first()
