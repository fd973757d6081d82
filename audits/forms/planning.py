"""Forms of the certification body's planning pages (§3.3, §3.6)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from audits.enums import DrawKind
from labelsp.forms import validate_plausible_date

TEXT_MAX_LENGTH = 5000


class PlanForm(forms.Form):
    visit_start = forms.DateField(
        label=_("Premier jour de visite"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[validate_plausible_date],
        error_messages={"required": _("Indiquez le premier jour de visite."), "invalid": _("Date invalide.")},
    )
    visit_end = forms.DateField(
        label=_("Dernier jour de visite"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[validate_plausible_date],
        error_messages={"required": _("Indiquez le dernier jour de visite."), "invalid": _("Date invalide.")},
    )
    duration_days = forms.DecimalField(
        label=_("Durée d’audit (jours)"),
        help_text=_("Par demi-journées : 0,5 ; 1 ; 1,5…"),
        min_value=0.5,
        max_value=30,
        max_digits=3,
        decimal_places=1,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={
            "required": _("Indiquez la durée de l’audit."),
            "invalid": _("Indiquez un nombre de jours, par exemple 1,5."),
            "min_value": _("Indiquez une durée entre 0,5 et 30 jours."),
            "max_value": _("Indiquez une durée entre 0,5 et 30 jours."),
            "max_decimal_places": _("Par demi-journées : une décimale au plus."),
            "max_digits": _("Indiquez une durée entre 0,5 et 30 jours."),
        },
    )
    sites = forms.ModelMultipleChoiceField(
        label=_("Sites audités"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Pour un service multi-sites, préférez le tirage au sort."),
    )
    resource_persons = forms.CharField(
        label=_("Personnes ressources du service"),
        help_text=_("Nom, fonction et coordonnées des personnes que l’auditeur rencontrera."),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    agenda = forms.CharField(
        label=_("Déroulé de l’audit"),
        help_text=_("Réunion d’ouverture, entretiens, visites de sites, réunion de clôture."),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, audit, **kwargs):
        super().__init__(*args, **kwargs)
        if audit.is_central:
            del self.fields["sites"]
        else:
            self.fields["sites"].queryset = audit.local_service.sites.filter(is_active=True).order_by("pk")
            if audit.draws.filter(kind=DrawKind.SITES).exists():
                self.fields["sites"].disabled = True
                self.fields["sites"].help_text = _(
                    "Les sites ont été tirés au sort : ils ne se modifient plus."
                )


class ProposeAuditorForm(forms.Form):
    auditor = forms.TypedChoiceField(
        label=_("Auditeur"),
        coerce=int,
        error_messages={
            "required": _("Choisissez un auditeur."),
            "invalid_choice": _("Choisissez un auditeur."),
        },
    )
    is_lead = forms.BooleanField(label=_("Responsable d’audit"), required=False)

    def __init__(self, *args, auditors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["auditor"].choices = [("", _("Choisir un auditeur"))] + [
            (
                user.pk,
                f"{user.get_full_name() or user.email}"
                + (f" — {_('auditeur de l’audit précédent')}" if previous else ""),
            )
            for user, previous in auditors
        ]
        previous = [user.pk for user, was_previous in auditors if was_previous]
        if previous and not self.is_bound:
            self.initial["auditor"] = previous[0]


class DeclarationForm(forms.Form):
    NO_CONFLICT = "no_conflict"
    CONFLICT = "conflict"
    answer = forms.ChoiceField(
        label=_("Votre déclaration"),
        choices=[
            (NO_CONFLICT, _("Je signe la déclaration d’absence de conflit d’intérêts")),
            (CONFLICT, _("Je déclare un conflit d’intérêts et ne peux pas réaliser cet audit")),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choisissez votre déclaration."),
            "invalid_choice": _("Choisissez votre déclaration."),
        },
    )
    reason = forms.CharField(
        label=_("Nature du conflit d’intérêts"),
        help_text=_("Obligatoire si vous déclarez un conflit."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("answer") == self.CONFLICT and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Précisez la nature du conflit d’intérêts."))
        return cleaned


class DrawForm(forms.Form):
    kind = forms.ChoiceField(choices=DrawKind.choices, widget=forms.HiddenInput)
    size = forms.IntegerField(
        label=_("Nombre à tirer au sort"),
        min_value=1,
        max_value=10_000,
        error_messages={
            "required": _("Indiquez le nombre à tirer au sort."),
            "invalid": _("Indiquez un nombre entier."),
            "min_value": _("Indiquez un nombre entier positif."),
            "max_value": _("Nombre trop grand."),
        },
    )


class RescheduleForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif du report"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Indiquez le motif du report.")},
    )
