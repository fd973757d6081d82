"""PAdES signature of attestations with the body's key (decisions/signing.py)."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from decisions.signing import SigningKeyMissing, key_paths, make_signing_key, sign_pdf, verify_pdf
from tests.registry.factories import CertificationBodyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keys_dir(settings, tmp_path):
    settings.SIGNING_KEYS_DIR = tmp_path / "signing-keys"


def _pdf(text="Attestation de test"):
    from weasyprint import HTML

    return HTML(string=f"<p>{text}</p>").write_pdf(pdf_variant="pdf/a-3b")


def test_make_signing_key_writes_a_private_key_and_a_certificate_naming_the_body():
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    body = CertificationBodyFactory(name="Certif’Qualité")
    key_path, cert_path = make_signing_key(siret=body.siret, name=body.name)
    assert key_path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert key_path.stat().st_mode & 0o077 == 0  # readable by its owner only
    certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
    assert certificate.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == body.siret
    assert certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == body.name
    # A second call keeps the existing key.
    make_signing_key(siret=body.siret, name=body.name)
    assert x509.load_pem_x509_certificate(cert_path.read_bytes()) == certificate


def test_signed_pdf_validates_against_the_bodys_certificate():
    body = CertificationBodyFactory()
    make_signing_key(siret=body.siret, name=body.name)
    signed = sign_pdf(_pdf(), body)
    result = verify_pdf(signed)
    assert result.signed and result.intact and result.covers_whole_document
    assert result.body == body
    assert result.valid
    assert body.siret in result.signer


def test_signature_fails_after_one_byte_changes():
    body = CertificationBodyFactory()
    make_signing_key(siret=body.siret, name=body.name)
    original = _pdf()
    signed = bytearray(sign_pdf(original, body))
    signed[len(original) // 2] ^= 0x01  # inside the signed range
    result = verify_pdf(bytes(signed))
    assert result.signed
    assert not result.intact
    assert not result.valid


def test_bytes_appended_after_the_signature_are_not_covered():
    body = CertificationBodyFactory()
    make_signing_key(siret=body.siret, name=body.name)
    signed = sign_pdf(_pdf(), body)
    result = verify_pdf(signed + b"\n% ajout\n")
    assert result.intact
    assert not result.covers_whole_document
    assert not result.valid


def test_a_signature_by_another_key_is_not_the_bodys():
    body = CertificationBodyFactory()
    make_signing_key(siret=body.siret, name=body.name)
    signed = sign_pdf(_pdf(), body)
    # The body's certificate on file changes (new key): the old signature is intact but no longer the body's.
    make_signing_key(siret=body.siret, name=body.name, overwrite=True)
    result = verify_pdf(signed)
    assert result.intact
    assert result.body is None
    assert not result.valid


def test_unsigned_or_unreadable_pdfs_are_not_genuine():
    assert not verify_pdf(_pdf()).signed
    assert not verify_pdf(b"%PDF-1.7\nnot really a pdf").valid
    assert not verify_pdf(b"").valid


def test_signing_without_a_key_is_a_clear_error():
    body = CertificationBodyFactory(name="Organisme sans clé")
    with pytest.raises(SigningKeyMissing) as error:
        sign_pdf(_pdf(), body)
    assert "Organisme sans clé" in error.value.messages[0]
    assert "clé de signature" in error.value.messages[0]


def test_make_signing_key_command(settings):
    body = CertificationBodyFactory()
    out = io.StringIO()
    call_command("make_signing_key", body.siret, stdout=out)
    key_path, cert_path = key_paths(body.siret)
    assert key_path.exists() and cert_path.exists()
    assert body.name in out.getvalue()
    first = cert_path.read_bytes()
    call_command("make_signing_key", body.siret, stdout=io.StringIO())
    assert cert_path.read_bytes() == first
    call_command("make_signing_key", body.siret, "--force", stdout=io.StringIO())
    assert cert_path.read_bytes() != first
    with pytest.raises(CommandError):
        call_command("make_signing_key", "00000000000000", stdout=io.StringIO())
