"""Forms of the auditor's tablet: the closing meeting's hot summary (§3.7)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ClosingMeetingForm(forms.Form):
    # Not required here: audits.services.audit_closing_record checks it, with the same message as everywhere.
    closing_summary = forms.CharField(
        label=_("Synthèse à chaud de la réunion de clôture"),
        help_text=_(
            "Ce que vous avez dit au service audité en fin de visite : points forts, axes de progrès."
        ),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
