"""The proof of deposit (§3.5.1): a PDF produced by candidates.tasks.render_deposit_receipt after each submission."""

import io

import pytest
from pypdf import PdfReader

from candidates.enums import REQUIRED_PIECES, ApplicationStatus, DocumentPiece
from candidates.tasks import receipt_name, render_deposit_receipt
from tests.candidates.factories import (
    ApplicationFactory,
    LocalServiceFactory,
    ServiceContractFactory,
    attach_required_pieces,
)
from tests.registry.factories import CertificationBodyFactory

pytestmark = pytest.mark.django_db


def _submitted_file():
    service = LocalServiceFactory(name="Caisse d’allocations familiales du Rhône")
    body = CertificationBodyFactory(name="Qualicert Services Publics")
    contract = ServiceContractFactory(local_service=service, certification_body=body)
    application = ApplicationFactory(
        contract=contract,
        local_service=service,
        complete=True,
        status=ApplicationStatus.SUBMITTED,
        submission_count=1,
    )
    attach_required_pieces(application)
    return application


def _text(document) -> str:
    with document.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    # Words may be split across lines in the layout: compare on single spaces.
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_receipt_names_the_candidate_the_body_and_every_piece():
    application = _submitted_file()
    render_deposit_receipt(application.pk, 1)
    receipt = application.documents.get(piece=DocumentPiece.DEPOSIT_RECEIPT)
    assert receipt.original_name == receipt_name(application.pk, 1)
    assert receipt.content_type == "application/pdf"
    text = _text(receipt)
    assert "Accusé de dépôt" in text
    assert "Caisse d’allocations familiales du Rhône" in text
    assert application.local_service.siret in text
    assert "Qualicert Services Publics" in text
    for piece in REQUIRED_PIECES:
        assert str(DocumentPiece(piece).label) in text, piece


def test_running_the_task_twice_stores_one_receipt():
    application = _submitted_file()
    render_deposit_receipt(application.pk, 1)
    render_deposit_receipt(application.pk, 1)
    assert application.documents.filter(piece=DocumentPiece.DEPOSIT_RECEIPT).count() == 1
    # A second submission (after a complements request) gets its own receipt.
    render_deposit_receipt(application.pk, 2)
    assert application.documents.filter(piece=DocumentPiece.DEPOSIT_RECEIPT).count() == 2
