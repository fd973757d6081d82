"""Forms of the eligibility requests (§1.4): they only parse; the rules live in candidates/services.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from candidates.enums import LocalServiceKind
from candidates.models import CentralService, EligibilityRequest


class EligibilityRequestForm(forms.ModelForm):
    """A service outside the eligibility list asks to be added, through its central service if it has one."""

    # Longer than the 14 digits: spaces copied from a document are removed before validation.
    siret = forms.CharField(label=_("SIRET"), max_length=20, help_text=_("14 chiffres."))
    central_service = forms.ModelChoiceField(
        label=_("Service public central de rattachement (facultatif)"),
        queryset=CentralService.objects.order_by("name"),
        required=False,
        empty_label=_("Aucun : mon service n’appartient pas à un réseau national"),
        help_text=_(
            "Si votre service appartient à un réseau national, la demande passe par son service central."
        ),
    )

    class Meta:
        model = EligibilityRequest
        fields = ["service_name", "siret", "kind", "proposed_category", "justification", "central_service"]
        labels = {
            "justification": _("Mission de service public et interactions avec les usagers"),
        }
        help_texts = {
            "proposed_category": _("Par exemple « Maisons de la justice et du droit »."),
            "justification": _(
                "Décrivez la mission de service public de votre service et ses contacts avec les usagers "
                "(accueil physique, téléphone, courriels, volumes)."
            ),
        }
        widgets = {"justification": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Choisissez la nature du service")), *LocalServiceKind.choices]

    def clean_siret(self):
        # People copy SIRETs from documents that print them in groups of digits.
        return "".join(self.cleaned_data["siret"].split())

    def filing_fields(self) -> dict:
        """The keyword arguments of services.eligibility_request_file."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class EligibilityDecisionForm(forms.Form):
    """One decision on a request: the central service declines; the DITP accepts or refuses.

    The same form serves each action's block of the detail page; `auto_id` keeps their ids apart.
    """

    ACCEPT = "accept"
    REFUSE = "refuse"
    DECLINE = "decline"

    action = forms.ChoiceField(
        choices=[(ACCEPT, _("Accepter")), (REFUSE, _("Refuser")), (DECLINE, _("Ne pas transmettre"))],
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choisissez une décision."),
            "invalid_choice": _("Cette décision n’existe pas."),
        },
    )
    category_name = forms.CharField(
        label=_("Catégorie ajoutée à la liste des services éligibles"),
        max_length=200,
        required=False,
        help_text=_("Reprend la catégorie proposée par le demandeur : vous pouvez la reformuler."),
    )
    reason = forms.CharField(
        label=_("Motif"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, action: str | None = None, **kwargs):
        kwargs.setdefault("auto_id", f"id_{action}_%s" if action else "id_%s")
        super().__init__(*args, **kwargs)
        if action is not None:
            self.fields["action"].initial = action
        if action != self.ACCEPT:
            del self.fields["category_name"]
        if action == self.ACCEPT:
            self.fields["reason"].label = _("Commentaire (facultatif)")
        elif action == self.REFUSE:
            self.fields["reason"].help_text = _("Obligatoire : il est communiqué au demandeur.")
        elif action == self.DECLINE:
            self.fields["reason"].help_text = _(
                "Obligatoire : il est communiqué au demandeur, et la demande n’est pas transmise à la DITP."
            )

    @classmethod
    def posted_action(cls, data) -> str | None:
        """The action named in POST data, if it is one of ours (to build the form with that action's ids)."""
        action = data.get("action")
        return action if action in (cls.ACCEPT, cls.REFUSE, cls.DECLINE) else None
