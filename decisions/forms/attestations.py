from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from labelsp.uploads import check_upload

# An attestation is a one- or few-page PDF; a central network's annex stays well under this.
MAX_BYTES = 10 * 1024 * 1024
PDF_ONLY = {"application/pdf": "pdf"}


class AttestationUploadForm(forms.Form):
    """A PDF someone received as an attestation, to check whether it is genuine; checked by its content."""

    document = forms.FileField(
        label=_("Attestation à vérifier"),
        help_text=_("Fichier PDF, %(size)s au plus.") % {"size": filesizeformat(MAX_BYTES)},
        error_messages={"required": _("Choisissez le fichier PDF de l’attestation.")},
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    def clean_document(self):
        uploaded = self.cleaned_data["document"]
        try:
            self.checked = check_upload(uploaded, allowed=PDF_ONLY, max_bytes=MAX_BYTES, formats="PDF")
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        return uploaded
