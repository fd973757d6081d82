"""Uploaded files: checked by their content (libmagic), never by their name, with a size limit."""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Content types accepted for business documents, with the extension the stored file gets.
DOCUMENT_TYPES = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "application/msword": "doc",
    "application/vnd.ms-excel": "xls",
}
DOCUMENT_FORMATS = gettext_lazy("PDF, documents bureautiques, images PNG ou JPEG")
# libmagic reads the first bytes; office formats (zip containers) need their first entries.
SNIFF_BYTES = 64 * 1024


@dataclass
class CheckedUpload:
    file: object
    name: str
    content_type: str
    size: int
    sha256: str


def check_upload(
    uploaded,
    *,
    allowed: dict[str, str] = DOCUMENT_TYPES,
    max_bytes: int | None = None,
    formats: str | None = None,
) -> CheckedUpload:
    """Validate `uploaded` by content and size; raise ValidationError with a French message otherwise.

    `formats` names the accepted formats for people (default: those of business documents).
    """
    import magic

    max_bytes = max_bytes or settings.UPLOAD_MAX_BYTES
    if uploaded.size == 0:
        raise ValidationError(_("Le fichier est vide."), code="empty")
    if uploaded.size > max_bytes:
        raise ValidationError(
            _("Le fichier dépasse la taille maximale de %(size)s.") % {"size": filesizeformat(max_bytes)},
            code="too_large",
        )
    uploaded.seek(0)
    head = uploaded.read(SNIFF_BYTES)
    content_type = magic.from_buffer(head, mime=True)
    if content_type not in allowed:
        raise ValidationError(
            _(
                "Ce type de fichier n’est pas accepté (contenu reconnu : %(type)s). Formats acceptés : %(formats)s."
            )
            % {"type": content_type, "formats": formats or DOCUMENT_FORMATS},
            code="content_type",
        )
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    stem = get_valid_filename((uploaded.name or "document").rsplit(".", 1)[0])[:80] or "document"
    return CheckedUpload(
        file=uploaded,
        name=f"{stem}.{allowed[content_type]}",
        content_type=content_type,
        size=uploaded.size,
        sha256=digest.hexdigest(),
    )


def serve_private_file(field_file, *, filename: str, content_type: str) -> FileResponse:
    """Serve a stored document as a download (never rendered inline by the browser)."""
    response = FileResponse(
        field_file.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
