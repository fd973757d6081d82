"""PAdES signature of attestations with the certification body's key (issue #6; guide §2.3).

Each body signs with its own key and certificate, kept in `settings.SIGNING_KEYS_DIR` as `<siret>.key.pem` and
`<siret>.cert.pem` (`manage.py make_signing_key <siret>` creates a self-signed pair for the demo; in production the
body's real certificate is dropped there). A PDF is genuine when its signature is intact, covers the whole file and
was made with the certificate on file for a body. pyHanko and cryptography are imported inside the functions: they
are heavy and only needed when signing or verifying.
"""

import datetime
import io
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SIGNATURE_FIELD = "SignatureOrganisme"
CERTIFICATE_YEARS = 10


class SigningKeyMissing(ValidationError):
    """The body has no signing key on file: the attestation cannot be issued (shown as a form error, not a 500)."""

    def __init__(self, body):
        super().__init__(
            _(
                "L’organisme « %(name)s » n’a pas de clé de signature sur la plateforme : l’attestation ne peut pas "
                "être émise. Demandez à l’administrateur de déposer sa clé et son certificat (SIRET %(siret)s)."
            )
            % {"name": body.name, "siret": body.siret},
            code="signing_key_missing",
        )


@dataclass
class VerificationResult:
    """What the signature of a PDF says: whether there is one, whether it is intact over the whole file, and the
    body whose certificate made it (None when it is no body's)."""

    signed: bool = False
    intact: bool = False
    covers_whole_document: bool = False
    body: object = None
    signer: str = ""

    @property
    def valid(self) -> bool:
        return self.signed and self.intact and self.covers_whole_document and self.body is not None


def key_paths(siret: str) -> tuple[Path, Path]:
    directory = Path(settings.SIGNING_KEYS_DIR)
    return directory / f"{siret}.key.pem", directory / f"{siret}.cert.pem"


def has_signing_key(body) -> bool:
    return all(path.exists() for path in key_paths(body.siret))


def make_signing_key(*, siret: str, name: str, overwrite: bool = False) -> tuple[Path, Path]:
    """Create a self-signed EC P-256 key and certificate for a body (demo, tests, benchmark). The subject carries
    the body's name and SIRET; the key may sign documents (digital signature, non-repudiation)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key_path, cert_path = key_paths(siret)
    if not overwrite and key_path.exists() and cert_path.exists():
        return key_path, cert_path
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, name[:64]),
            x509.NameAttribute(NameOID.COMMON_NAME, name[:64]),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, siret),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365 * CERTIFICATE_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    key_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    key_path.chmod(0o600)
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


def _load_certificate(path: Path):
    from asn1crypto import pem, x509

    data = path.read_bytes()
    if pem.detect(data):
        _, _, data = pem.unarmor(data)
    return x509.Certificate.load(data)


# Signers loaded from the key files, by path and modification time (a replaced key is loaded again).
_signers: dict = {}


def _signer(body):
    from pyhanko.sign import signers

    key_path, cert_path = key_paths(body.siret)
    key = (str(key_path), key_path.stat().st_mtime_ns, cert_path.stat().st_mtime_ns)
    if key not in _signers:
        for stale in [k for k in _signers if k[0] == key[0]]:
            del _signers[stale]
        _signers[key] = signers.SimpleSigner.load(str(key_path), str(cert_path))
    return _signers[key]


def signature_room(signer) -> int:
    """Bytes reserved in the PDF for the CMS signature: the certificates it embeds, a signature value and the
    signed attributes, with a generous margin. Reserving it up front spares pyHanko a trial signature that only
    measures the size (half the signing time, see `make bench`)."""
    certificates = [signer.signing_cert, *signer.cert_registry]
    return 8192 + 2 * sum(len(certificate.dump()) for certificate in certificates)


def sign_pdf(pdf_bytes: bytes, body) -> bytes:
    """Sign `pdf_bytes` (PAdES baseline B, incremental update) with `body`'s key; SigningKeyMissing if it has
    none."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    if not has_signing_key(body):
        raise SigningKeyMissing(body)
    signer = _signer(body)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        name=body.name,
        reason=_("Attestation de labellisation Services Publics +"),
    )
    output = signers.sign_pdf(writer, metadata, signer=signer, bytes_reserved=signature_room(signer))
    return output.getvalue()


def _body_for_certificate(certificate):
    """The body whose certificate on file is exactly `certificate` (looked up by the SIRET in its subject)."""
    from registry.models import CertificationBody

    siret = certificate.subject.native.get("serial_number", "")
    body = CertificationBody.objects.filter(siret=siret).first() if siret else None
    if body is None or not has_signing_key(body):
        return None
    on_file = _load_certificate(key_paths(body.siret)[1])
    return body if on_file.dump() == certificate.dump() else None


def verify_pdf(pdf_bytes: bytes) -> VerificationResult:
    """Check the last signature of a PDF: intact (the signed bytes hash to the signed digest, the CMS signature
    verifies), covering the whole file (nothing appended afterwards), made with a body's certificate on file."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    result = VerificationResult()
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        signatures = reader.embedded_signatures
    except Exception:  # any unreadable PDF is simply not a genuine one
        return result
    if not signatures:
        return result
    embedded = signatures[-1]
    result.signed = True
    try:
        certificate = embedded.signer_cert
        result.signer = certificate.subject.human_friendly
        body = _body_for_certificate(certificate)
        # Trust only the certificate on file for the body named in the signer's subject (none otherwise).
        context = ValidationContext(trust_roots=[certificate] if body else [])
        status = validate_pdf_signature(embedded, signer_validation_context=context)
    except (SignatureValidationError, ValueError, KeyError, TypeError):
        return result
    result.intact = bool(status.intact and status.valid)
    result.covers_whole_document = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    result.body = body if body is not None and status.trusted else None
    return result
