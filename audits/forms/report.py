"""Forms of the report and what follows it (§3.7.1, §3.9.2): the five parts, observations, corrective actions and
the auditor's opinion on them. They only parse; the rules are in audits.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from audits.services import COMMENT_MAX_LENGTH, REPORT_FIELDS, TEXT_MAX_LENGTH

ACCEPT = "accept"
REJECT = "reject"


def _textarea(label, help_text="", *, required=False, rows=6, max_length=TEXT_MAX_LENGTH):
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=max_length,
        strip=True,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class ReportForm(forms.Form):
    """The five parts of the report (§3.7.1). Each may stay empty while drafting; all are needed to send it."""

    report_presentation = _textarea(
        _("Présentation du service"), _("Missions, organisation, sites, publics accueillis.")
    )
    report_synthesis = _textarea(_("Synthèse des résultats de l’audit"))
    report_illustrations = _textarea(
        _("Illustrations opérationnelles"),
        _("Comment les engagements se déclinent concrètement dans le contexte du service."),
    )
    report_strengths = _textarea(_("Points forts"))
    report_improvements = _textarea(
        _("Axes de progrès"),
        _("Pistes permettant d’aller au-delà des scores attribués aux points de contrôle."),
    )

    @classmethod
    def initial_from(cls, audit) -> dict:
        return {name: getattr(audit, name) for name in REPORT_FIELDS}


class ObservationForm(forms.Form):
    text = _textarea(
        _("Vos observations sur le rapport"),
        _("Elles sont jointes au rapport transmis pour décision ; elles ne modifient aucune note."),
        required=True,
        rows=6,
    )


class CorrectiveActionForm(forms.Form):
    """A central candidate's corrective action on one checkpoint not validated (graded « non »)."""

    checkpoint = forms.TypedChoiceField(
        label=_("Point de contrôle non validé"),
        coerce=int,
        error_messages={
            "required": _("Choisissez un point de contrôle non validé."),
            "invalid_choice": _("Choisissez un point de contrôle non validé."),
        },
    )
    proposal = _textarea(
        _("Action corrective proposée"),
        _("Ce que vous mettez en place, avec son échéance et son responsable."),
        required=True,
        rows=5,
    )

    def __init__(self, *args, checkpoints=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["checkpoint"].choices = [("", _("Choisissez un point de contrôle"))] + [
            (checkpoint.pk, f"{checkpoint.code} — {checkpoint.requirement[:120]}")
            for checkpoint in checkpoints
        ]


class JudgementForm(forms.Form):
    """The auditor's opinion on a corrective action, always with its reason. The opinion is the button pressed
    (« Accepter » or « Refuser »)."""

    judgement = forms.ChoiceField(
        label=_("Avis"),
        choices=[(ACCEPT, _("Accepter l’action corrective")), (REJECT, _("Refuser l’action corrective"))],
        error_messages={
            "required": _("Choisissez votre avis."),
            "invalid_choice": _("Choisissez votre avis."),
        },
    )
    judgement_comment = _textarea(_("Motif"), required=True, rows=3, max_length=COMMENT_MAX_LENGTH)

    @property
    def accepted(self) -> bool:
        return self.cleaned_data["judgement"] == ACCEPT
