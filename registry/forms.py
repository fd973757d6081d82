"""Forms of the DITP back office — the decisions on a body's habilitation (§1.3) — and of the national
statistics. They only parse; the rules (five years, renewal dates, the engagement contract) live in
registry/services.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from labelsp.forms import validate_plausible_date
from registry.services import REASON_MAX_LENGTH


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _date_field(label, help_text="", *, required=True, required_message=""):
    return forms.DateField(
        label=label,
        help_text=help_text,
        required=required,
        widget=DateInput(),
        validators=[validate_plausible_date],
        error_messages={
            "required": required_message or _("Indiquez une date."),
            "invalid": _("Indiquez une date valide."),
        },
    )


def _reason_field(label, *, required, required_message=""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": required_message} if required_message else {},
    )


def _signed_on_field():
    return _date_field(
        _("Contrat d’engagement signé le"),
        _("La date de signature du contrat d’engagement entre l’organisme et la DITP."),
        required_message=_("Indiquez la date de signature du contrat d’engagement."),
    )


class HabilitationGrantForm(forms.Form):
    prefix = "grant"

    signed_on = _signed_on_field()
    starts_on = _date_field(
        _("Habilité à partir du"),
        _("Pour cinq ans : l’habilitation prend fin la veille du cinquième anniversaire de cette date."),
    )
    reason = _reason_field(_("Observations"), required=False)


class HabilitationRenewForm(forms.Form):
    prefix = "renew"

    signed_on = _signed_on_field()
    reason = _reason_field(_("Observations"), required=False)


class HabilitationSuspendForm(forms.Form):
    prefix = "suspend"

    reason = _reason_field(
        _("Motif de la suspension"), required=True, required_message=_("Indiquez le motif de la suspension.")
    )


class HabilitationLiftForm(forms.Form):
    prefix = "lift"

    reason = _reason_field(_("Observations"), required=False)


class HabilitationWithdrawForm(forms.Form):
    prefix = "withdraw"

    reason = _reason_field(
        _("Motif du retrait"), required=True, required_message=_("Indiquez le motif du retrait.")
    )


FORMS = {
    "grant": HabilitationGrantForm,
    "renew": HabilitationRenewForm,
    "suspend": HabilitationSuspendForm,
    "lift": HabilitationLiftForm,
    "withdraw": HabilitationWithdrawForm,
}


# How many calendar years the statistics' filter offers, the current one first.
YEARS_OFFERED = 10


class StatisticsFilterForm(forms.Form):
    annee = forms.TypedChoiceField(label=_("Période"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["annee"].choices = [
            ("", _("Les 24 derniers mois")),
            *((year, str(year)) for year in range(today.year, today.year - YEARS_OFFERED, -1)),
        ]
