"""Forms of the certification body's side: the completeness check of a file and its closing (§3.5.2)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from candidates.enums import ApplicationOutcome, ChecklistItem
from labelsp.forms import validate_plausible_date

REQUEST_COMPLEMENTS = "request_complements"
ACKNOWLEDGE = "acknowledge"

MESSAGE_MAX_LENGTH = 5000
COMMENT_MAX_LENGTH = 2000


def ok_field_name(item: str) -> str:
    return f"{item}_ok"


def comment_field_name(item: str) -> str:
    return f"{item}_comment"


class ReviewForm(forms.Form):
    """The checklist (one « conforme » box and one comment per item) and the body's decision on the file."""

    action = forms.ChoiceField(
        label=_("Décision"),
        choices=[
            (REQUEST_COMPLEMENTS, _("Demander des compléments")),
            (ACKNOWLEDGE, _("Déclarer recevable")),
        ],
        error_messages={
            "required": _("Choisissez une action."),
            "invalid_choice": _("Choisissez une action."),
        },
    )
    message = forms.CharField(
        label=_("Message au candidat"),
        help_text=_(
            "Obligatoire pour demander des compléments : précisez les pièces ou corrections attendues."
        ),
        required=False,
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for item in ChecklistItem:
            self.fields[ok_field_name(item)] = forms.BooleanField(label=_("Conforme"), required=False)
            self.fields[comment_field_name(item)] = forms.CharField(
                label=_("Commentaire"),
                required=False,
                max_length=COMMENT_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    @classmethod
    def initial_from(cls, entries) -> dict:
        """Prefill the checklist from the body's previous check (ChecklistEntry rows)."""
        initial = {}
        for entry in entries:
            initial[ok_field_name(entry.item)] = entry.is_ok
            initial[comment_field_name(entry.item)] = entry.comment
        return initial

    def checklist(self) -> dict[str, tuple[bool, str]]:
        """{item: (is_ok, comment)}, as the services take it."""
        return {
            item.value: (
                bool(self.cleaned_data.get(ok_field_name(item))),
                self.cleaned_data.get(comment_field_name(item), "").strip(),
            )
            for item in ChecklistItem
        }


CLOSING_OUTCOMES = [
    (value, label) for value, label in ApplicationOutcome.choices if value != ApplicationOutcome.WITHDRAWN
]


class CloseForm(forms.Form):
    """The body closes an acknowledged file once the audit and the decision are done."""

    outcome = forms.ChoiceField(
        label=_("Issue du dossier"),
        choices=[("", _("Sélectionnez une issue")), *CLOSING_OUTCOMES],
        error_messages={
            "required": _("Choisissez l’issue du dossier."),
            "invalid_choice": _("Choisissez l’issue du dossier."),
        },
    )
    refusal_notified_on = forms.DateField(
        label=_("Refus notifié le"),
        help_text=_(
            "Obligatoire en cas de refus : une nouvelle candidature est possible 6 mois après cette date."
        ),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        validators=[validate_plausible_date],
        error_messages={"invalid": _("Saisissez une date valide.")},
    )
    reason = forms.CharField(
        label=_("Commentaire"),
        required=False,
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_refusal_notified_on(self):
        notified_on = self.cleaned_data.get("refusal_notified_on")
        if notified_on and notified_on > timezone.localdate():
            raise forms.ValidationError(_("La date de notification ne peut pas être future."))
        return notified_on
