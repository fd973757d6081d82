"""The DITP's upload of a new audit grid version. It parses; the rules live in audits.grid_files."""

from django import forms
from django.utils.translation import gettext_lazy as _

from audits.enums import GridKind


class GridUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Grille"),
        choices=[("", _("Choisissez la grille")), *GridKind.choices],
        error_messages={"required": _("Choisissez la grille des services locaux ou des services centraux.")},
    )
    file = forms.FileField(
        label=_("Fichier JSON de la nouvelle version"),
        widget=forms.FileInput(attrs={"accept": ".json,application/json"}),
        help_text=_(
            "Un fichier JSON encodé en UTF-8, de 1 Mo au plus : « kind », « title » et la liste des « sections », "
            "chacune avec ses « checkpoints » (code, exigence, éléments de preuve attendus). Le format est décrit "
            "sous le formulaire ; le plus simple est de partir du fichier téléchargé de la version en cours."
        ),
        error_messages={"required": _("Choisissez le fichier à publier.")},
    )
