"""Forms of a service's registration, sites, perimeter and contract (§1.4, §1.4.2, §3.2).

They only parse; the business rules (one principal site, the perimeter's « socle », habilitated bodies) live in
candidates/services.py and candidates/rules.py, whose errors the views show next to these fields.
"""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from candidates import rules
from candidates.enums import LocalServiceKind, PerimeterDomain, SiteKind
from candidates.models import CentralService, EligibleCategory
from labelsp.forms import validate_plausible_date
from labelsp.geo import DEPARTEMENT_CHOICES
from labelsp.validators import validate_siret
from registry.models import CertificationBody

DATE_WIDGET = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def postal_code_prefix(departement: str) -> str:
    """The digits every postal code of a département starts with.

    Interpretation: the département's code, except Corsica (2A, 2B), whose postal codes start with « 20 »;
    overseas départements (971 to 976) have three-digit codes, so their postal codes start with those three.
    """
    return "20" if departement in ("2A", "2B") else departement


class AddressFormMixin:
    """Postal code: five digits that agree with the chosen département."""

    def clean_postal_code(self):
        postal_code = "".join(self.cleaned_data["postal_code"].split())
        if not re.fullmatch(r"\d{5}", postal_code):
            raise forms.ValidationError(_("Le code postal compte exactement 5 chiffres."))
        return postal_code

    def clean(self):
        cleaned_data = super().clean()
        postal_code, departement = cleaned_data.get("postal_code"), cleaned_data.get("departement")
        if postal_code and departement and not postal_code.startswith(postal_code_prefix(departement)):
            self.add_error(
                "postal_code",
                _(
                    "Ce code postal ne correspond pas au département choisi : il doit commencer par %(prefix)s."
                )
                % {"prefix": postal_code_prefix(departement)},
            )
        return cleaned_data


def _address_fields():
    return {
        "street": forms.CharField(label=_("Adresse"), max_length=200),
        "postal_code": forms.CharField(
            label=_("Code postal"), max_length=10, widget=forms.TextInput(attrs={"inputmode": "numeric"})
        ),
        "city": forms.CharField(label=_("Commune"), max_length=100),
        "departement": forms.ChoiceField(
            label=_("Département"),
            choices=[("", _("Sélectionnez un département")), *DEPARTEMENT_CHOICES],
        ),
    }


class SiteForm(AddressFormMixin, forms.Form):
    """One physical point of contact of the service (§1.4.2): every site in contact with users is in the perimeter."""

    name = forms.CharField(label=_("Nom du site"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Type de site"),
        choices=[("", _("Sélectionnez un type")), *SiteKind.choices],
        help_text=_("Un service a exactement un site principal."),
    )
    street, postal_code, city, departement = _address_fields().values()
    agents_in_contact = forms.IntegerField(
        label=_("Agents en contact avec les usagers"),
        min_value=0,
        max_value=1_000_000,
        help_text=_("Nombre d’agents en contact direct ou indirect avec les usagers sur ce site."),
    )


class BaseSiteFormSet(forms.BaseFormSet):
    def sites(self) -> list[dict]:
        """The filled rows, as keyword arguments of services.site_add (blank optional rows are skipped)."""
        return [form.cleaned_data for form in self.forms if form.cleaned_data]


SiteFormSet = forms.formset_factory(
    SiteForm, formset=BaseSiteFormSet, extra=2, min_num=1, validate_min=True, max_num=50, validate_max=True
)


class GroupedCategoryField(forms.ModelChoiceField):
    """The eligibility list, grouped by kind of service in <optgroup>s.

    Only active categories are offered; any category is accepted here so that one withdrawn from the list while
    the form was open is refused by the service, with its own message.
    """

    def __init__(self, **kwargs):
        super().__init__(queryset=EligibleCategory.objects.all(), **kwargs)

    def grouped_choices(self):
        groups = {kind: [] for kind in LocalServiceKind.values}
        for category in EligibleCategory.objects.filter(is_active=True).order_by("name"):
            groups[category.kind].append((category.pk, category.name))
        return [
            ("", self.empty_label),
            *((LocalServiceKind(kind).label, choices) for kind, choices in groups.items() if choices),
        ]


class RegistrationForm(AddressFormMixin, forms.Form):
    """A local service registers itself (§1.4); its sites come in a SiteFormSet."""

    category = GroupedCategoryField(
        label=_("Catégorie de service public"),
        empty_label=_("Sélectionnez la catégorie de votre service"),
        help_text=_("La liste des services éligibles au label, tenue par la DITP."),
    )
    name = forms.CharField(label=_("Nom du service"), max_length=200)
    parent = forms.ModelChoiceField(
        label=_("Service public central de rattachement (facultatif)"),
        queryset=CentralService.objects.order_by("network_name", "name"),
        required=False,
        empty_label=_("Aucun : mon service n’appartient pas à un réseau national"),
        help_text=_(
            "Choisissez-le si votre service appartient à un réseau national (par exemple une caisse d’allocations "
            "familiales) : le service central choisit alors l’organisme de certification pour tout son réseau."
        ),
    )
    siret = forms.CharField(
        label=_("SIRET"),
        max_length=20,
        help_text=_("14 chiffres, sans espace."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    street, postal_code, city, departement = _address_fields().values()
    contact_name = forms.CharField(label=_("Nom du référent qualité"), max_length=200)
    contact_email = forms.EmailField(label=_("Adresse électronique du référent"), max_length=254)
    contact_phone = forms.CharField(
        label=_("Téléphone du référent (facultatif)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].widget.choices = self.fields["category"].grouped_choices()
        self.fields["parent"].label_from_instance = lambda central: f"{central.network_name} — {central.name}"

    def clean_siret(self):
        # People copy SIRETs from documents that print them in groups of digits.
        siret = "".join(self.cleaned_data["siret"].split())
        validate_siret(siret)
        return siret


class PerimeterForm(forms.Form):
    """A local authority's perimeter (§1.4.2): the « socle » and optional public-action domains."""

    GROUPS = (
        ("required", _("Socle obligatoire"), rules.SOCLE_REQUIRED),
        ("one_of", _("Au moins un domaine parmi"), rules.SOCLE_ONE_OF),
        ("optional", _("Domaines optionnels"), rules.OPTIONAL),
    )

    domains = forms.MultipleChoiceField(
        label=_("Domaines du périmètre"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("Le domaine « %(value)s » n’est pas proposé à votre collectivité.")
        },
    )
    other_detail = forms.CharField(
        label=_("Précisez l’autre service en interaction avec les usagers"), max_length=200, required=False
    )

    def __init__(self, *args, kind: str, current: dict[str, str], **kwargs):
        """`current` maps the perimeter's active domains to their detail."""
        self.kind = kind
        self.current = current
        kwargs.setdefault(
            "initial", {"domains": list(current), "other_detail": current.get(PerimeterDomain.OTHER, "")}
        )
        super().__init__(*args, **kwargs)
        self.fields["domains"].choices = [(d, PerimeterDomain(d).label) for d in rules.offered_domains(kind)]

    def clean(self):
        cleaned_data = super().clean()
        if PerimeterDomain.OTHER in cleaned_data.get("domains", ()) and not cleaned_data.get("other_detail"):
            self.add_error("other_detail", _("Précisez le service que vous ajoutez au périmètre."))
        return cleaned_data

    def domain_groups(self) -> list[dict]:
        """The checkboxes in the guide's three groups, each with its checked state (bound data or current)."""
        checked = {str(value) for value in self["domains"].value() or ()}
        placed, groups = set(), []
        for key, title, table in self.GROUPS:
            options = [
                {"code": d, "label": PerimeterDomain(d).label, "checked": d in checked}
                for d in table.get(self.kind, ())
                if d not in placed
            ]
            placed.update(option["code"] for option in options)
            if options:
                groups.append({"key": key, "title": title, "options": options})
        return groups

    def perimeter(self) -> dict[str, str]:
        """The `domains` argument of services.perimeter_set: a detail for « other », the others keep theirs."""
        return {
            domain: self.cleaned_data["other_detail"]
            if domain == PerimeterDomain.OTHER
            else self.current.get(domain, "")
            for domain in self.cleaned_data["domains"]
        }


class ContractForm(forms.Form):
    """The signed service contract with a body habilitated by the DITP (§3.2)."""

    certification_body = forms.ModelChoiceField(
        label=_("Organisme de certification"),
        queryset=CertificationBody.objects.none(),
        empty_label=_("Sélectionnez un organisme habilité"),
        # Same sentence as the service's: a body suspended since the page was shown is refused here.
        error_messages={"invalid_choice": _("Cet organisme n’est pas habilité par la DITP à ce jour.")},
    )
    signed_on = forms.DateField(
        label=_("Contrat signé le"), widget=DATE_WIDGET, validators=[validate_plausible_date]
    )
    cycle_start = forms.DateField(
        label=_("Début du cycle couvert"),
        widget=DATE_WIDGET,
        validators=[validate_plausible_date],
        help_text=_("Le contrat couvre le cycle de labellisation de 3 ans qui commence à cette date."),
    )
    unit_count = forms.IntegerField(min_value=1, max_value=100_000)

    def __init__(self, *args, is_central: bool, **kwargs):
        super().__init__(*args, **kwargs)
        # Evaluated per request: habilitations start, end and are suspended day by day.
        self.fields["certification_body"].queryset = CertificationBody.objects.habilitated()
        self.fields["unit_count"].label = (
            _("Nombre de services locaux") if is_central else _("Nombre de sites")
        )
        self.fields["unit_count"].help_text = (
            _("Les services locaux de votre réseau couverts par le contrat.")
            if is_central
            else _("Les sites de votre service couverts par le contrat.")
        )
