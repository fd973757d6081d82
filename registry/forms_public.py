"""The public registry's search form: every value checked against its list, never trusted."""

from django import forms
from django.utils.translation import gettext_lazy as _

from candidates.enums import LocalServiceKind
from candidates.models import CentralService
from decisions.enums import Tier
from labelsp.geo import DEPARTEMENT_CHOICES, REGION_CHOICES
from registry.models import CertificationBody
from registry.selectors import RegistryFilters

ANY = [("", _("Tous"))]


class RegistrySearchForm(forms.Form):
    q = forms.CharField(label=_("Nom ou commune"), max_length=100, required=False)
    tier = forms.ChoiceField(label=_("Palier"), choices=ANY + list(Tier.choices), required=False)
    region = forms.ChoiceField(label=_("Région"), choices=ANY + REGION_CHOICES, required=False)
    departement = forms.ChoiceField(label=_("Département"), choices=ANY + DEPARTEMENT_CHOICES, required=False)
    kind = forms.ChoiceField(
        label=_("Type de service"),
        choices=[*ANY, ("central", _("Service public central")), *LocalServiceKind.choices],
        required=False,
    )
    network = forms.ModelChoiceField(
        label=_("Réseau"),
        queryset=CentralService.objects.order_by("name"),
        required=False,
        empty_label=_("Tous"),
    )
    body = forms.ModelChoiceField(
        label=_("Organisme de certification"),
        queryset=CertificationBody.objects.order_by("name"),
        required=False,
        empty_label=_("Tous"),
    )

    def filters(self) -> RegistryFilters:
        """The valid filters (an invalid field is ignored, and shown with its error)."""
        data = self.cleaned_data if self.is_bound else {}
        network, body = data.get("network"), data.get("body")
        return RegistryFilters(
            q=(data.get("q") or "").strip(),
            tier=data.get("tier") or "",
            region=data.get("region") or "",
            departement=data.get("departement") or "",
            kind=data.get("kind") or "",
            network=network.pk if network else None,
            body=body.pk if body else None,
        )
