from django import forms
from django.utils.translation import gettext_lazy as _

from decisions.services import MOTIVATION_MAX_LENGTH


class DecisionForm(forms.Form):
    motivation = forms.CharField(
        label=_("Motivation"),
        help_text=_("Obligatoire pour un refus ; elle figure dans la lettre de notification."),
        required=False,
        max_length=MOTIVATION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    network_attested = forms.BooleanField(
        label=_(
            "Le service central a transmis l’autodiagnostic annuel de chaque service local de son réseau (et, en année "
            "de suivi, les enquêtes des services locaux déjà labellisés)"
        ),
        required=False,
    )
    confirm = forms.BooleanField(
        label=_("Je confirme la décision proposée, au vu des éléments ci-dessus"),
        error_messages={"required": _("Cochez la case pour confirmer la décision.")},
    )

    def __init__(self, *args, central: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not central:
            del self.fields["network_attested"]
