from celery import shared_task
from django.core.files.base import ContentFile
from django.db import transaction

from candidates.enums import DocumentPiece

PIECE_ORDER = {piece: index for index, piece in enumerate(DocumentPiece.values)}


def receipt_name(application_id: int, number: int) -> str:
    return f"accuse-de-depot-{application_id}-{number}.pdf"


@shared_task(acks_late=True)
def render_deposit_receipt(application_id: int, submission_number: int) -> None:
    """Produce the proof of deposit of one submission (§3.5.1) and keep it with the file. Idempotent."""
    import hashlib

    from candidates.models import Application, ApplicationDocument
    from candidates.services import current_documents
    from labelsp.pdf import render_pdf

    name = receipt_name(application_id, submission_number)
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("local_service", "central_service", "certification_body", "contract")
            .get(pk=application_id)
        )
        if application.documents.filter(piece=DocumentPiece.DEPOSIT_RECEIPT, original_name=name).exists():
            return
        pdf = render_pdf(
            "pdf/deposit_receipt.html",
            {
                "application": application,
                "submission_number": submission_number,
                # In the guide's order (§3.5.1), then any other piece.
                "documents": sorted(
                    current_documents(application).exclude(piece=DocumentPiece.DEPOSIT_RECEIPT),
                    key=lambda d: (PIECE_ORDER.get(d.piece, len(PIECE_ORDER)), d.original_name),
                ),
            },
        )
        document = ApplicationDocument(
            application=application,
            piece=DocumentPiece.DEPOSIT_RECEIPT,
            original_name=name,
            content_type="application/pdf",
            size=len(pdf),
            sha256=hashlib.sha256(pdf).hexdigest(),
        )
        document.file.save(name, ContentFile(pdf), save=False)
        document.save()
