"""The DITP's upload of a new questionnaire version. It parses; the rules live in surveys.questionnaire_files."""

from django import forms
from django.utils.translation import gettext_lazy as _

from surveys.enums import SurveyKind


class QuestionnaireUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Questionnaire"),
        choices=[("", _("Choisissez l’enquête")), *SurveyKind.choices],
        error_messages={"required": _("Choisissez l’enquête usagers ou l’enquête agents.")},
    )
    file = forms.FileField(
        label=_("Fichier JSON de la nouvelle version"),
        widget=forms.FileInput(attrs={"accept": ".json,application/json"}),
        help_text=_(
            "Un fichier JSON encodé en UTF-8, de 200 Ko au plus : « kind », « title » et la liste des "
            "« questions » (code, engagement pour l’enquête usagers, intitulé). Le format est décrit sous le formulaire."
        ),
        error_messages={"required": _("Choisissez le fichier à publier.")},
    )
