"""Forms of the application file, candidate side (§3.1–§3.5). They parse; the rules live in candidates.services."""

from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from candidates import rules
from candidates.enums import ApplicationKind, DocumentPiece, PerimeterDomain
from candidates.models import Application, Site
from candidates.services import EDITABLE_FIELDS
from labelsp.forms import validate_plausible_date
from surveys.enums import SurveyKind
from surveys.models import Campaign
from surveys.report import campaign_summary
from surveys.selectors import campaign_results


class DateInput(forms.DateInput):
    """The DSFR date input: the browser's date picker, ISO values."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleaned to a list (possibly empty)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class ApplicationCreateForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Nature du dossier"),
        choices=[("", _("Choisissez la nature du dossier")), *ApplicationKind.choices],
    )


# The fields of the file, grouped as the guide lists them (§3.5.1); the edit form and the detail page share them.
FIELD_GROUPS = [
    (_("Identification"), ["labels_held"]),
    (_("Dates d’audit proposées"), ["audit_start", "audit_end"]),
    (_("Autodiagnostic"), ["self_assessment_on", "self_assessment_summary"]),
    (
        _("Enquêtes usagers et agents"),
        [
            "sampling_method",
            "user_survey_campaign",
            "user_survey_closed_on",
            "user_survey_score",
            "agent_survey_campaign",
            "agent_survey_closed_on",
            "agent_survey_score",
        ],
    ),
    (_("Indicateurs de qualité de service"), ["indicators_since", "indicators_summary"]),
    (_("Audit de suivi ou de renouvellement"), ["previous_audit_on"]),
    (_("Extension de périmètre"), ["extension_sites", "extension_domains"]),
]
DATE_FIELDS = [
    "audit_start",
    "audit_end",
    "self_assessment_on",
    "user_survey_closed_on",
    "agent_survey_closed_on",
    "indicators_since",
    "previous_audit_on",
]
SCORE_FIELDS = ["user_survey_score", "agent_survey_score"]
TEXT_FIELDS = [
    "labels_held",
    "self_assessment_summary",
    "sampling_method",
    "indicators_summary",
]
# A closed campaign of the platform fills the closing date and global score of its survey when the file is saved.
SURVEY_CAMPAIGN_FIELDS = {
    "user_survey_campaign": (SurveyKind.USERS, "user_survey_closed_on", "user_survey_score"),
    "agent_survey_campaign": (SurveyKind.AGENTS, "agent_survey_closed_on", "agent_survey_score"),
}
WRONG_KIND_MESSAGES = {
    SurveyKind.USERS: _("Cette campagne n’est pas une enquête usagers."),
    SurveyKind.AGENTS: _("Cette campagne n’est pas une enquête agents."),
}
# previous_audit_on is asked for the audits that follow a label (§3.9.1, §3.10).
PREVIOUS_AUDIT_KINDS = (ApplicationKind.FOLLOW_UP, ApplicationKind.RENEWAL)


class ApplicationForm(forms.ModelForm):
    """Every field the candidate fills (candidates.services.EDITABLE_FIELDS), shaped by the kind of file."""

    extension_sites = forms.ModelMultipleChoiceField(
        label=_("Sites ajoutés au périmètre"),
        queryset=Site.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    extension_domains = forms.MultipleChoiceField(
        label=_("Domaines ajoutés au périmètre"),
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Application
        fields = [name for _legend, names in FIELD_GROUPS for name in names if name != "extension_sites"]
        widgets = {
            **{name: DateInput() for name in DATE_FIELDS},
            **{name: forms.Textarea(attrs={"rows": 4}) for name in TEXT_FIELDS},
        }

    def __init__(self, *args, application: Application, **kwargs):
        super().__init__(*args, instance=application, **kwargs)
        for name in DATE_FIELDS:
            if name in self.fields:
                self.fields[name].validators.append(validate_plausible_date)
        for name in SCORE_FIELDS:
            field = self.fields[name]
            field.validators += [
                MinValueValidator(0, message=_("Une note est comprise entre 0 et 100.")),
                MaxValueValidator(100, message=_("Une note est comprise entre 0 et 100.")),
            ]
            field.widget.attrs.update(min="0", max="100", step="0.01")
            field.help_text = _("Sur 100, deux décimales au plus.")
        if application.kind not in PREVIOUS_AUDIT_KINDS:
            del self.fields["previous_audit_on"]
        service = application.local_service
        self._campaign_results = {}
        for name, (kind, _closed_on, _score) in SURVEY_CAMPAIGN_FIELDS.items():
            if service is None:
                # Campaigns are run by local services; a central service's file states its surveys by hand.
                del self.fields[name]
            else:
                self._set_up_campaign_field(name, kind, service)
        if application.kind == ApplicationKind.EXTENSION and service is not None:
            self.fields["extension_sites"].queryset = service.sites.active().order_by("kind", "name")
            self.initial["extension_sites"] = [site.pk for site in application.extension_sites.all()]
        else:
            del self.fields["extension_sites"]
        offered = rules.offered_domains(service.kind) if service is not None else []
        if application.kind == ApplicationKind.EXTENSION and offered:
            self.fields["extension_domains"].choices = [
                (domain, PerimeterDomain(domain).label) for domain in offered
            ]
        else:
            del self.fields["extension_domains"]

    def _set_up_campaign_field(self, name, kind, service):
        """The select lists the service's closed campaigns of the kind, newest first; any other is refused.

        The field accepts the service's campaigns of both kinds, open or closed, so that clean_* explains why
        one is refused; another service's campaign is an unknown choice (its existence is not revealed).
        """
        field = self.fields[name]
        field.queryset = Campaign.objects.filter(local_service=service).select_related("questionnaire")
        field.required = False
        field.error_messages["invalid_choice"] = _("Choisissez une des campagnes closes de votre service.")
        field.help_text = _(
            "Campagne close menée sur la plateforme : sa date de clôture et sa note globale sont reprises "
            "à l’enregistrement. Laissez vide pour une enquête menée hors de la plateforme."
        )
        closed = field.queryset.filter(kind=kind, closed_at__isnull=False).order_by("-closed_at", "-pk")
        choices = [("", _("Aucune : enquête menée hors de la plateforme"))]
        for campaign in closed:
            results = self._campaign_results[campaign.pk] = campaign_results(campaign)
            choices.append((campaign.pk, campaign_summary(campaign, results)))
        # Set after the queryset (whose setter resets them): only the eligible campaigns are offered.
        field.widget.choices = choices

    def _clean_campaign(self, name):
        campaign = self.cleaned_data.get(name)
        if campaign is None:
            return None
        kind = SURVEY_CAMPAIGN_FIELDS[name][0]
        if campaign.kind != kind:
            raise ValidationError(WRONG_KIND_MESSAGES[kind])
        if campaign.closed_at is None:
            raise ValidationError(
                _("Cette campagne n’est pas close : clôturez-la pour que ses résultats soient définitifs.")
            )
        return campaign

    def clean_user_survey_campaign(self):
        return self._clean_campaign("user_survey_campaign")

    def clean_agent_survey_campaign(self):
        return self._clean_campaign("agent_survey_campaign")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("audit_start"), cleaned.get("audit_end")
        if start and end and end < start:
            self.add_error("audit_end", _("La fin de l’audit ne peut pas précéder son début."))
        for name, (_kind, closed_field, score_field) in SURVEY_CAMPAIGN_FIELDS.items():
            campaign = cleaned.get(name)
            if campaign is None:
                continue
            # The campaign's figures replace whatever was typed in the two fields (errors included).
            results = self._campaign_results.get(campaign.pk) or campaign_results(campaign)
            score = results.scores.global_score
            cleaned[closed_field] = timezone.localdate(campaign.closed_at)
            cleaned[score_field] = (
                None if score is None else Decimal(str(score)).quantize(Decimal("0.01"), ROUND_HALF_UP)
            )
            for field in (closed_field, score_field):
                self._errors.pop(field, None)
        return cleaned

    def groups(self):
        """The form's fields by group, for the template (groups without fields are left out)."""
        grouped = []
        for legend, names in FIELD_GROUPS:
            fields = [self[name] for name in names if name in self.fields]
            if fields:
                grouped.append((legend, fields))
        return grouped

    def service_fields(self) -> dict:
        """The cleaned values to hand to candidates.services.application_update."""
        return {name: value for name, value in self.cleaned_data.items() if name in EDITABLE_FIELDS}


UPLOADABLE_PIECES = [
    (value, label) for value, label in DocumentPiece.choices if value != DocumentPiece.DEPOSIT_RECEIPT
]


class DocumentUploadForm(forms.Form):
    piece = forms.ChoiceField(label=_("Pièce"), choices=UPLOADABLE_PIECES)
    file = forms.FileField(
        label=_("Fichier"),
        widget=forms.FileInput,
        help_text=_("PDF, document bureautique (Word, Excel, LibreOffice…) ou image PNG ou JPEG."),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif du retrait (facultatif)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirm = forms.BooleanField(
        label=_("Je confirme le retrait du dossier : il sera clos et ne pourra plus être déposé."),
        error_messages={"required": _("Cochez la case pour confirmer le retrait du dossier.")},
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Votre message"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )
    attachments = MultipleFileField(
        label=_("Pièces jointes (facultatif)"),
        required=False,
        help_text=_(
            "Vous pouvez joindre plusieurs fichiers : PDF, documents bureautiques, images PNG ou JPEG."
        ),
    )
