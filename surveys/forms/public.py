"""The public, anonymous answer form of a survey campaign (§3.4)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from surveys.enums import NSP_LABEL, SCALE_LABELS

NSP_VALUE = "nsp"
HONEYPOT = "site_web"


class PublicAnswerForm(forms.Form):
    """One radio group per question of the campaign's questionnaire version, in order.

    No question is required: a question left without an answer counts as « non concerné / ne se prononce
    pas » (§3.4), like an explicit NSP. The honeypot field is hidden from people; a robot that fills it has
    its submission dropped silently.
    """

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        choices = [(str(position), label) for position, label in SCALE_LABELS.items()]
        choices.append((NSP_VALUE, NSP_LABEL))
        for question in self.questions:
            self.fields[self.field_name(question)] = forms.ChoiceField(
                label=question.text, choices=choices, required=False, widget=forms.RadioSelect
            )
        self.fields[HONEYPOT] = forms.CharField(
            label=_("Ne remplissez pas ce champ"),
            required=False,
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
        )

    @staticmethod
    def field_name(question) -> str:
        return f"q_{question.code}"

    def question_fields(self):
        """The bound fields of the questions, in the questionnaire's order."""
        return [self[self.field_name(question)] for question in self.questions]

    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get(HONEYPOT, "").strip())

    def positions(self) -> dict[str, int | None]:
        """{question code: 1–4, or None for NSP and for a question left unanswered}."""
        positions = {}
        for question in self.questions:
            value = self.cleaned_data.get(self.field_name(question)) or NSP_VALUE
            positions[question.code] = None if value == NSP_VALUE else int(value)
        return positions
