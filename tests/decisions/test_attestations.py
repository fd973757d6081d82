"""The attestation: its PDF's content, signature, storage, and the public verification (issue #6; guide §2.3)."""

import datetime
import hashlib
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import dateformat, timezone, translation

from candidates.enums import SiteKind
from decisions.attestations import (
    AttestationStatus,
    attestation_context,
    attestation_issue,
    attestation_status,
    render_attestation,
    verification_url,
)
from decisions.enums import LabelStatus, Tier, WithdrawalReason
from decisions.models import Attestation, Label, Withdrawal
from decisions.signing import SigningKeyMissing, make_signing_key, sign_pdf, verify_pdf
from labelsp.accounts.enums import Role
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.audits.factories import AuditFactory
from tests.candidates.factories import (
    ApplicationFactory,
    CentralServiceFactory,
    LocalServiceFactory,
    ServiceContractFactory,
    SiteFactory,
)
from tests.decisions.factories import DecisionFactory, LabelFactory
from tests.pdf_support import qr_codes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keys_dir(settings, tmp_path):
    settings.SIGNING_KEYS_DIR = tmp_path / "signing-keys"


def _with_key(body):
    make_signing_key(siret=body.siret, name=body.name)
    return body


def _issue(label, decision=None):
    _with_key(label.certification_body)
    return attestation_issue(label=label, decision=decision or label.decision)


def _text(pdf: bytes) -> str:
    """The PDF's text, whitespace collapsed (a line may wrap anywhere)."""
    from pypdf import PdfReader

    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def _links(pdf: bytes) -> list[str]:
    from pypdf import PdfReader

    uris = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action and "/URI" in action:
                uris.append(str(action["/URI"]))
    return uris


def _stored(attestation) -> bytes:
    with attestation.pdf.open("rb") as handle:
        return handle.read()


def _french(date: datetime.date) -> str:
    with translation.override("fr"):
        return dateformat.format(date, "j F Y")


@pytest.fixture
def local_label():
    """An Argent label of a local service with two active sites (and a closed one), audited on the local grid."""
    local = LocalServiceFactory(name="Agence de Villeurbanne")
    SiteFactory(local_service=local, name="Accueil principal Gratte-Ciel", kind=SiteKind.PRINCIPAL)
    SiteFactory(local_service=local, name="Antenne Croix-Luizet")
    SiteFactory(local_service=local, name="Ancien guichet Charpennes", is_active=False)
    application = ApplicationFactory(
        contract=ServiceContractFactory(local_service=local),
        local_service=local,
        status="closed",
        outcome="labelled",
    )
    AuditFactory(application=application)
    decision = DecisionFactory(application=application, tier=Tier.ARGENT)
    return LabelFactory(decision=decision)


def test_local_attestation_shows_what_the_guide_requires(local_label):
    attestation = _issue(local_label)
    text = _text(_stored(attestation))
    grid = local_label.decision.application.audits.first().grid
    assert "Attestation de labellisation" in text
    assert "Agence de Villeurbanne" in text
    assert "Accueil principal Gratte-Ciel" in text
    assert "Antenne Croix-Luizet" in text
    assert "Ancien guichet Charpennes" not in text  # closed site: not covered
    assert "Argent" in text
    assert _french(local_label.decision.decided_on) in text
    assert _french(local_label.starts_on) in text and _french(local_label.ends_on) in text
    assert local_label.certification_body.name in text
    assert attestation.number in text
    assert f"version {grid.version}" in text
    assert "démarche de labellisation du service public central" not in text
    assert "Annexe" not in text


def test_attestation_number_version_and_qr_link(local_label):
    attestation = _issue(local_label)
    year = local_label.decision.decided_on.year
    assert attestation.number == f"SP-{year}-{local_label.pk:06d}-v1"
    assert attestation.version == 1
    pdf = _stored(attestation)
    url = verification_url(attestation.token)
    assert url.endswith(reverse("decisions:attestation_verify", args=[attestation.token]))
    assert url in _links(pdf)
    assert url in _text(pdf).replace(" ", "")
    assert qr_codes(pdf) == [url]


def test_attestation_is_pdf_a_and_signed_by_the_body(local_label):
    from pypdf import PdfReader

    attestation = _issue(local_label)
    pdf = _stored(attestation)
    reader = PdfReader(io.BytesIO(pdf))
    assert "/OutputIntents" in reader.trailer["/Root"]
    assert b"pdfaid:part" in reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    result = verify_pdf(pdf)
    assert result.valid
    assert result.body == local_label.certification_body
    tampered = bytearray(pdf)
    tampered[len(pdf) // 3] ^= 0x01
    assert not verify_pdf(bytes(tampered)).valid


def _write_rsa_key(body, bits: int) -> None:
    """A body's real-world key: RSA, with a certificate issued by a (throwaway) CA whose certificate is larger."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    from decisions.signing import key_paths

    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, body.name),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, body.siret),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA512())
    )
    key_path, cert_path = key_paths(body.siret)
    key_path.parent.mkdir(parents=True, exist_ok=True)
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))


def test_a_large_rsa_key_fits_the_room_reserved_for_the_signature(local_label):
    body = local_label.certification_body
    _write_rsa_key(body, 4096)
    signed = sign_pdf(render_attestation(_context(local_label)), body)
    result = verify_pdf(signed)
    assert result.valid
    assert result.body == body


def _signer_algorithm(pdf: bytes) -> str:
    from pyhanko.pdf_utils.reader import PdfFileReader

    return PdfFileReader(io.BytesIO(pdf)).embedded_signatures[-1].signer_cert.public_key.algorithm


def _context(label):
    return attestation_context(label=label, decision=label.decision, number="SP-TEST-v1", token="jeton")


def test_a_replaced_key_is_used_at_once(local_label):
    """Signers are cached per process; a key dropped in place of the old one signs the next attestation."""
    body = _with_key(local_label.certification_body)
    pdf = render_attestation(_context(local_label))
    assert _signer_algorithm(sign_pdf(pdf, body)) == "ec"
    _write_rsa_key(body, 2048)
    signed = sign_pdf(pdf, body)
    assert _signer_algorithm(signed) == "rsa"
    assert verify_pdf(signed).valid


def test_stored_sha256_is_the_files(local_label):
    attestation = _issue(local_label)
    pdf = _stored(attestation)
    assert attestation.sha256 == hashlib.sha256(pdf).hexdigest()
    assert attestation.pdf.name == f"attestations/{attestation.number}.pdf"


def test_tokens_are_random_and_versions_follow(local_label):
    first = _issue(local_label)
    second = _issue(local_label)
    assert (first.version, second.version) == (1, 2)
    assert second.number.endswith("-v2")
    assert first.token != second.token
    assert len(first.token) >= 32
    tokens = {first.token, second.token, *(_issue(local_label).token for _ in range(3))}
    assert len(tokens) == 5


def test_local_labelled_through_a_central_process_says_so():
    central = CentralServiceFactory(name="Caisse nationale des allocations familiales")
    contract = ServiceContractFactory(central_service=central, local_service=None)
    central_application = ApplicationFactory(contract=contract, local_service=None, central_service=central)
    local = LocalServiceFactory(parent=central, name="CAF du Rhône")
    application = ApplicationFactory(
        contract=contract,
        local_service=local,
        central_application=central_application,
        status="closed",
        outcome="labelled",
    )
    label = LabelFactory(decision=DecisionFactory(application=application, tier=Tier.BRONZE))
    text = _text(_stored(_issue(label)))
    assert "CAF du Rhône" in text
    assert "Bronze" in text
    assert "démarche de labellisation du service public central" in text
    assert "Caisse nationale des allocations familiales" in text
    assert "Grille d’audit" in text and "—" in text  # no audit yet: no grid version, no error


def test_central_attestation_lists_its_labelled_locals_in_an_annex():
    central = CentralServiceFactory(name="Réseau des agences de l’eau")
    contract = ServiceContractFactory(central_service=central, local_service=None)
    application = ApplicationFactory(
        contract=contract, local_service=None, central_service=central, status="closed", outcome="labelled"
    )
    AuditFactory(application=application)
    label = LabelFactory(decision=DecisionFactory(application=application, tier=Tier.OR))

    def local_label(name, tier, **label_fields):
        local = LocalServiceFactory(parent=central, name=name)
        local_application = ApplicationFactory(
            contract=contract,
            local_service=local,
            central_application=application,
            status="closed",
            outcome="labelled",
        )
        return LabelFactory(
            decision=DecisionFactory(application=local_application, tier=tier), **label_fields
        )

    local_label("Agence Loire-Bretagne", Tier.OR)
    local_label("Agence Rhône-Méditerranée", Tier.ARGENT)
    local_label("Agence suspendue", Tier.BRONZE, status=LabelStatus.SUSPENDED)
    local_label("Agence retirée", Tier.BRONZE, status=LabelStatus.WITHDRAWN)
    old = timezone.localdate() - datetime.timedelta(days=4 * 365)
    local_label("Agence expirée", Tier.OR, starts_on=old, ends_on=old + datetime.timedelta(days=1000))
    outsider = LocalServiceFactory(in_network=True, name="Agence d’un autre réseau")
    LabelFactory(
        decision=DecisionFactory(
            application=ApplicationFactory(
                contract=ServiceContractFactory(local_service=outsider),
                local_service=outsider,
                status="closed",
                outcome="labelled",
            )
        )
    )
    text = _text(_stored(_issue(label)))
    assert "Réseau des agences de l’eau" in text
    assert "Or" in text
    assert "Annexe — services locaux labellisés du réseau" in text
    assert "La liste des 2 services locaux labellisés du réseau figure en annexe." in text
    year = str(timezone.localdate().year)
    assert f"Agence Loire-Bretagne Lyon Or {year}" in text
    assert f"Agence Rhône-Méditerranée Lyon Argent {year}" in text
    for absent in ("Agence suspendue", "Agence retirée", "Agence expirée", "Agence d’un autre réseau"):
        assert absent not in text


def test_issuing_without_a_signing_key_fails_clearly(local_label):
    with pytest.raises(SigningKeyMissing):
        attestation_issue(label=local_label, decision=local_label.decision)
    assert not Attestation.objects.exists()


def test_issuing_in_debug_creates_a_demo_key(local_label, settings):
    settings.DEBUG = True
    attestation = attestation_issue(label=local_label, decision=local_label.decision)
    assert verify_pdf(_stored(attestation)).valid


# --- Current status ---------------------------------------------------------------------------------------------


def test_status_follows_the_label(local_label):
    first = _issue(local_label)
    assert attestation_status(first) == AttestationStatus.VALID
    assert attestation_status(first, on=local_label.ends_on) == AttestationStatus.VALID
    assert attestation_status(first, on=local_label.ends_on + datetime.timedelta(days=1)) == "expired"
    second = _issue(local_label)
    assert attestation_status(first) == AttestationStatus.REPLACED
    assert attestation_status(second) == AttestationStatus.VALID
    Label.objects.filter(pk=local_label.pk).update(status=LabelStatus.SUSPENDED)
    second.label.refresh_from_db()
    assert attestation_status(second) == AttestationStatus.SUSPENDED


def test_withdrawal_counts_from_its_effective_date(local_label):
    attestation = _issue(local_label)
    effective = timezone.localdate() + datetime.timedelta(days=10)
    Withdrawal.objects.create(
        label=local_label,
        reason=WithdrawalReason.TRADEMARK_BREACH,
        effective_on=effective,
        decided_by=UserFactory(),
    )
    assert attestation_status(attestation) == AttestationStatus.VALID
    assert attestation_status(attestation, on=effective) == AttestationStatus.WITHDRAWN


# --- Public verification page -----------------------------------------------------------------------------------


def _verify(client, attestation):
    response = client.get(reverse("decisions:attestation_verify", args=[attestation.token]))
    assert response.status_code == 200
    return response.content.decode()


def test_verification_page_valid(client, local_label):
    attestation = _issue(local_label)
    page = _verify(client, attestation)
    assert "État actuel : Valide" in page
    assert "fr-alert--success" in page
    assert attestation.number in page
    assert "Agence de Villeurbanne" in page
    assert "Argent" in page
    assert local_label.certification_body.name in page


def test_verification_page_suspended(client, local_label):
    attestation = _issue(local_label)
    Label.objects.filter(pk=local_label.pk).update(status=LabelStatus.SUSPENDED)
    page = _verify(client, attestation)
    assert "État actuel : Label suspendu" in page
    assert "fr-alert--warning" in page


def test_verification_page_withdrawn(client, local_label):
    attestation = _issue(local_label)
    Withdrawal.objects.create(
        label=local_label,
        reason=WithdrawalReason.NOT_RENEWED,
        effective_on=timezone.localdate(),
        decided_by=UserFactory(),
    )
    page = _verify(client, attestation)
    assert "État actuel : Label retiré" in page
    assert "fr-alert--error" in page


def test_verification_page_expired(client, local_label):
    attestation = _issue(local_label)
    assert "État actuel : Valide" in _verify(client, attestation)
    with time_machine.travel(local_label.ends_on + datetime.timedelta(days=1)):
        page = _verify(client, attestation)
    assert "État actuel : Label expiré" in page


def test_verification_page_replaced(client, local_label):
    first = _issue(local_label)
    second = _issue(local_label)
    assert "État actuel : Remplacée par une version plus récente" in _verify(client, first)
    assert "État actuel : Valide" in _verify(client, second)


def test_verification_page_unknown_token(client):
    response = client.get(reverse("decisions:attestation_verify", args=["inconnu-0123456789abcdefghijkl"]))
    assert response.status_code == 404


# --- Upload check -----------------------------------------------------------------------------------------------


def _check(client, content: bytes, name="attestation.pdf"):
    return client.post(
        reverse("decisions:attestation_check_upload"),
        {"document": SimpleUploadedFile(name, content, content_type="application/pdf")},
    )


def test_check_page_shows_the_form(client):
    response = client.get(reverse("decisions:attestation_check_upload"))
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.content.decode()


def test_genuine_upload_shows_the_current_status(client, local_label):
    attestation = _issue(local_label)
    Label.objects.filter(pk=local_label.pk).update(status=LabelStatus.SUSPENDED)
    page = _check(client, _stored(attestation)).content.decode()
    assert "Attestation authentique" in page
    assert "Sa signature électronique" in page
    assert attestation.number in page
    assert "État actuel : Label suspendu" in page


def test_upload_with_one_byte_changed_is_not_genuine(client, local_label):
    pdf = bytearray(_stored(_issue(local_label)))
    pdf[len(pdf) // 2] ^= 0x01
    page = _check(client, bytes(pdf)).content.decode()
    assert "Attestation non authentique" in page
    assert "État actuel" not in page


def test_forged_upload_with_the_same_text_but_no_signature_is_not_genuine(client, local_label):
    attestation = _issue(local_label)
    forged = render_attestation(
        attestation_context(
            label=local_label,
            decision=local_label.decision,
            number=attestation.number,
            token=attestation.token,
        )
    )
    assert attestation.number in _text(forged)
    page = _check(client, forged).content.decode()
    assert "Attestation non authentique" in page


def test_pdf_signed_by_a_body_but_unknown_to_the_platform_is_not_called_genuine(client, local_label):
    from weasyprint import HTML

    body = _with_key(local_label.certification_body)
    signed = sign_pdf(HTML(string="<p>Autre document</p>").write_pdf(), body)
    page = _check(client, signed).content.decode()
    assert "Document inconnu de la plateforme" in page
    assert body.name in page
    assert "Attestation authentique" not in page


def test_upload_is_checked_by_content(client):
    executable = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
    response = _check(client, executable, name="attestation.pdf")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Ce type de fichier n’est pas accepté" in page
    assert "fr-upload-group--error" in page
    assert 'id="verdict"' not in page


def test_upload_size_is_limited(client):
    from decisions.forms.attestations import MAX_BYTES

    page = _check(client, b"%PDF-1.7\n" + b"0" * MAX_BYTES).content.decode()
    assert "taille maximale" in page


# --- Download ---------------------------------------------------------------------------------------------------


def test_download_serves_the_stored_pdf_to_the_service(login, local_label):
    attestation = _issue(local_label)
    user = UserFactory()
    MembershipFactory(user=user, role=Role.CANDIDATE, organisation=local_label.local_service)
    response = login(user).get(reverse("decisions:attestation_download", args=[attestation.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == _stored(attestation)
    assert attestation.number in response["Content-Disposition"]


def test_download_is_404_outside_the_labels_scope(login, local_label):
    attestation = _issue(local_label)
    stranger = UserFactory()
    MembershipFactory(user=stranger, role=Role.CANDIDATE, organisation=LocalServiceFactory())
    response = login(stranger).get(reverse("decisions:attestation_download", args=[attestation.pk]))
    assert response.status_code == 404


def test_the_public_check_is_rate_limited_per_address(client):
    from decisions.views.attestations import CHECK_LIMIT

    url = reverse("decisions:attestation_check_upload")
    for _ in range(CHECK_LIMIT):
        assert client.post(url, {}).status_code == 200
    response = client.post(url, {})
    assert response.status_code == 429
    assert "Trop de vérifications" in response.content.decode()
    # Another address is not affected.
    assert client.post(url, {}, REMOTE_ADDR="192.0.2.7").status_code == 200
