"""Forms of a service's survey campaigns (§3.4). They parse; the rules live in surveys.services_campaigns."""

from django import forms
from django.utils.translation import gettext_lazy as _

from labelsp.forms import validate_plausible_date
from surveys.enums import NSP_LABEL, SCALE_LABELS, SurveyKind

POPULATION_LABELS = {
    SurveyKind.USERS: _("Nombre d’usagers sollicités"),
    SurveyKind.AGENTS: _("Nombre d’agents concernés (en interaction directe ou indirecte avec les usagers)"),
}
NSP_VALUE = "nsp"


class DateInput(forms.DateInput):
    """The DSFR date input: the browser's date picker, ISO values."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class CampaignKindForm(forms.Form):
    """First step of the creation: the kind of survey, which shapes the rest of the form."""

    kind = forms.ChoiceField(
        label=_("Type d’enquête"),
        choices=SurveyKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez le type d’enquête.")},
    )


class CampaignForm(forms.Form):
    """The campaign of one kind: dates, people solicited and, for the user survey, the sampling method."""

    kind = forms.ChoiceField(choices=SurveyKind.choices, widget=forms.HiddenInput)
    opens_on = forms.DateField(
        label=_("Date d’ouverture"), widget=DateInput(), validators=[validate_plausible_date]
    )
    closes_on = forms.DateField(
        label=_("Date de clôture prévue"), widget=DateInput(), validators=[validate_plausible_date]
    )
    population = forms.IntegerField(
        min_value=1, error_messages={"min_value": _("Indiquez un nombre supérieur ou égal à 1.")}
    )
    sampling_method = forms.CharField(
        label=_("Méthode d’échantillonnage"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Un échantillon représentatif des usagers ayant été en relation avec le service au cours des "
            "12 derniers mois : comment il a été constitué (tirage, canaux, périodes…)."
        ),
    )

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, initial={"kind": kind}, **kwargs)
        self.kind = SurveyKind(kind)
        self.fields["population"].label = POPULATION_LABELS[self.kind]
        if self.kind == SurveyKind.USERS:
            self.fields["population"].help_text = _(
                "Le taux de retour est calculé sur ce nombre : questionnaires recevables / usagers sollicités."
            )
        else:
            self.fields["population"].help_text = _(
                "Le seuil de validité dépend de ce nombre : moins de 50 agents, de 50 à 300, plus de 300."
            )
            del self.fields["sampling_method"]

    def clean(self):
        cleaned = super().clean()
        opens_on, closes_on = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens_on and closes_on and closes_on < opens_on:
            self.add_error("closes_on", _("La date de clôture ne peut pas précéder la date d’ouverture."))
        return cleaned

    def service_fields(self) -> dict:
        """The cleaned values to hand to surveys.services_campaigns.campaign_open."""
        return {
            "kind": self.kind,
            "opens_on": self.cleaned_data["opens_on"],
            "closes_on": self.cleaned_data["closes_on"],
            "population": self.cleaned_data["population"],
            "sampling_method": self.cleaned_data.get("sampling_method", ""),
        }


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier CSV des réponses"),
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
        help_text=_(
            "Une ligne par questionnaire, une colonne par question nommée par son code ; chaque cellule : "
            "la position 1 à 4, le libellé de la réponse, ou vide / « NSP ». Colonne « complete » facultative "
            "(oui/non). Séparateur « ; » ou « , », UTF-8."
        ),
        error_messages={"required": _("Choisissez le fichier à importer.")},
    )


class PaperEntryForm(forms.Form):
    """One paper questionnaire keyed in: one radio group per question, in the questionnaire's order.

    A question left without an answer counts as « non concerné / ne se prononce pas », as on paper.
    """

    complete = forms.BooleanField(
        label=_("Questionnaire complet"),
        required=False,
        initial=True,
        help_text=_("Décochez si la personne n’a pas terminé le questionnaire : il ne sera pas recevable."),
    )

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        choices = [(str(position), label) for position, label in SCALE_LABELS.items()]
        choices.append((NSP_VALUE, NSP_LABEL))
        for question in self.questions:
            self.fields[self.field_name(question)] = forms.ChoiceField(
                label=question.text, choices=choices, required=False, widget=forms.RadioSelect
            )
        # The checkbox after the questions, as on the paper copy.
        self.fields["complete"] = self.fields.pop("complete")

    @staticmethod
    def field_name(question) -> str:
        return f"q_{question.code}"

    def question_fields(self):
        return [(question, self[self.field_name(question)]) for question in self.questions]

    def positions(self) -> dict[str, int | None]:
        """{question code: 1–4, or None for NSP and for a question left unanswered}."""
        positions = {}
        for question in self.questions:
            value = self.cleaned_data.get(self.field_name(question)) or NSP_VALUE
            positions[question.code] = None if value == NSP_VALUE else int(value)
        return positions
