"""Forms of the label's life: suspension, lifting, withdrawal, action plan, appeal (§3.8.1, §5.1, §5.3)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from decisions.enums import AppealStatus, SuspensionReason, WithdrawalReason
from labelsp.forms import validate_plausible_date

TEXT_MAX_LENGTH = 5000


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _date_field(label, help_text=""):
    return forms.DateField(
        label=label,
        help_text=help_text,
        widget=DateInput(),
        validators=[validate_plausible_date],
        error_messages={"required": _("Indiquez une date."), "invalid": _("Indiquez une date valide.")},
    )


def _text_field(label, *, required, help_text="", rows=4, required_message=""):
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": required_message} if required_message else {},
    )


class SuspensionForm(forms.Form):
    prefix = "suspension"

    reason = forms.ChoiceField(
        label=_("Motif (§5.3.1 du guide)"),
        choices=[("", _("Choisissez un motif")), *SuspensionReason.choices],
        error_messages={"required": _("Choisissez un motif de suspension.")},
    )
    details = _text_field(_("Précisions"), required=False)
    starts_on = _date_field(_("Suspendu à partir du"))
    ends_on = _date_field(
        _("Suspendu au plus tard jusqu’au"), _("Au plus 12 mois après le début de la suspension.")
    )


class SuspensionLiftForm(forms.Form):
    prefix = "lift"

    lifted_on = _date_field(_("Suspension levée le"), _("La levée ne prolonge pas la validité du label."))


class WithdrawalForm(forms.Form):
    prefix = "withdrawal"

    reason = forms.ChoiceField(
        label=_("Motif (§5.3.2 du guide)"),
        choices=[("", _("Choisissez un motif")), *WithdrawalReason.choices],
        error_messages={"required": _("Choisissez un motif de retrait.")},
    )
    details = _text_field(_("Précisions"), required=False)
    effective_on = _date_field(
        _("Date d’effet"),
        _(
            "Le service quitte la liste publique à cette date et cesse d’utiliser la marque dans les deux mois."
        ),
    )


class ActionPlanForm(forms.Form):
    prefix = "plan"

    summary = _text_field(
        _("Plan d’actions"),
        required=True,
        rows=8,
        help_text=_("Les actions prévues, leurs responsables et leurs échéances."),
        required_message=_("Décrivez le plan d’actions."),
    )


class AppealForm(forms.Form):
    prefix = "appeal"

    grounds = _text_field(
        _("Motifs du recours"),
        required=True,
        rows=6,
        help_text=_(
            "Le comité impartial de l’organisme de certification examine votre recours (§5.1 du guide)."
        ),
        required_message=_("Exposez les motifs du recours."),
    )


class AppealRecordForm(forms.Form):
    prefix = "record"

    status = forms.ChoiceField(
        label=_("Avis du comité impartial"),
        choices=[("", _("Choisissez"))]
        + [(s.value, s.label) for s in (AppealStatus.UPHELD, AppealStatus.DISMISSED)],
        error_messages={"required": _("Choisissez l’avis du comité.")},
    )
    committee_opinion = _text_field(
        _("Avis motivé du comité"),
        required=True,
        required_message=_("Indiquez l’avis motivé du comité impartial."),
    )
    motivation = _text_field(
        _("Motivation de la nouvelle décision"),
        required=False,
        help_text=_("Si le recours est fondé : une nouvelle décision remplace la décision contestée."),
    )
