"""The list of addresses to invite (§3.4): pasted, or uploaded as a text or CSV file. The rules are in
surveys.services_invitations."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from labelsp.uploads import check_upload
from surveys.invitations import decode_text, parse_addresses

# Checked by content (libmagic), never by the file's name.
ADDRESS_FILE_TYPES = {"text/plain": "txt", "text/csv": "csv"}
# 5,000 addresses of the longest kind fit with room to spare.
MAX_FILE_BYTES = 2 * 1024 * 1024


class InvitationForm(forms.Form):
    """Either pasted addresses or a file, not both."""

    emails = forms.CharField(
        label=_("Adresses e-mail"),
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 8, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_(
            "Une adresse par ligne, ou plusieurs séparées par « ; » ou « , ». Au plus 5 000 à la fois."
        ),
    )
    file = forms.FileField(
        label=_("Ou un fichier de la liste"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ".csv,.txt,text/csv,text/plain"}),
        help_text=_("Fichier texte (.txt) ou CSV (.csv), une adresse par ligne ; UTF-8 de préférence."),
    )

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if not uploaded:
            return None
        try:
            check_upload(uploaded, allowed=ADDRESS_FILE_TYPES, max_bytes=MAX_FILE_BYTES)
        except ValidationError as error:
            if error.code == "content_type":
                # check_upload's message lists the formats of business documents, not ours.
                raise ValidationError(
                    _("Ce fichier n’est pas un fichier texte : choisissez un fichier .txt ou .csv.")
                ) from error
            raise
        uploaded.seek(0)
        if b"\x00" in uploaded.read():
            # UTF-16 or binary content that libmagic still calls text: its "addresses" would be unreadable.
            raise ValidationError(
                _("Ce fichier n’est pas un fichier texte : choisissez un fichier .txt ou .csv.")
            )
        return uploaded

    def clean(self):
        cleaned = super().clean()
        pasted, uploaded = cleaned.get("emails"), cleaned.get("file")
        if "file" in self.errors:
            return cleaned
        if pasted and uploaded:
            raise ValidationError(_("Collez des adresses ou choisissez un fichier, pas les deux."))
        if not pasted and not uploaded:
            self.add_error("emails", _("Collez au moins une adresse ou choisissez un fichier."))
        return cleaned

    @property
    def source_field(self) -> str:
        """The field the addresses came from: where their errors are shown."""
        return "file" if self.cleaned_data.get("file") else "emails"

    def entries(self) -> list[tuple[int, str]]:
        """(line number, address) of each address given."""
        uploaded = self.cleaned_data.get("file")
        if uploaded:
            uploaded.seek(0)
            text = decode_text(uploaded.read())
        else:
            text = self.cleaned_data["emails"]
        return parse_addresses(text)
