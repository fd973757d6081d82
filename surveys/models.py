import secrets

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Length, Now, Replace
from django.db.models.lookups import GreaterThan
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from candidates.models import LocalService
from surveys.enums import Channel, SurveyKind


def _public_token():
    return secrets.token_urlsafe(16)


class QuestionnaireQuerySet(models.QuerySet):
    def current(self, kind: str):
        """The latest published version of a kind: the one new campaigns use."""
        return self.filter(kind=kind, published_at__isnull=False).order_by("-number").first()


class Questionnaire(models.Model):
    """A version of the user or agent questionnaire (annexes 4 and 5), published by the DITP.

    A campaign keeps the version it started with; a new version never changes running campaigns.
    """

    kind = models.CharField(_("enquête"), max_length=10, choices=SurveyKind.choices)
    number = models.PositiveSmallIntegerField(_("version"))
    title = models.CharField(_("titre"), max_length=200)
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = QuestionnaireQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("version de questionnaire")
        verbose_name_plural = _("versions de questionnaire")
        ordering = ["kind", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], name="questionnaire_unique_version"),
            models.CheckConstraint(name="questionnaire_kind_valid", condition=Q(kind__in=SurveyKind.values)),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — v{self.number}"


class Question(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="questions")
    code = models.CharField(_("code"), max_length=20)
    position = models.PositiveSmallIntegerField(_("ordre"))
    text = models.TextField(_("intitulé"))
    # Users: the commitment (1–8) the question measures, or "satisfaction"; agents: empty.
    group = models.CharField(_("engagement"), max_length=20, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["questionnaire", "position"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="question_unique_code"),
            models.UniqueConstraint(fields=["questionnaire", "position"], name="question_unique_position"),
        ]

    def __str__(self):
        return f"{self.code} — {self.text[:60]}"


class CampaignQuerySet(models.QuerySet):
    def for_user(self, user):
        """The campaigns of the services `user` may see, and those an application file they may see relies on:
        the certification body checks the survey results of the files filed with it (§3.5.2)."""
        from candidates.models import Application

        files = Application.objects.for_user(user)
        return self.filter(
            Q(local_service__in=LocalService.objects.for_user(user))
            | Q(pk__in=files.filter(user_survey_campaign__isnull=False).values("user_survey_campaign"))
            | Q(pk__in=files.filter(agent_survey_campaign__isnull=False).values("agent_survey_campaign"))
        )


class Campaign(models.Model):
    """A user or agent survey campaign run by a local service (§3.4)."""

    local_service = models.ForeignKey(
        LocalService, on_delete=models.PROTECT, related_name="survey_campaigns", verbose_name=_("service")
    )
    kind = models.CharField(_("enquête"), max_length=10, choices=SurveyKind.choices)
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("questionnaire")
    )
    opens_on = models.DateField(_("ouverture"))
    closes_on = models.DateField(_("clôture prévue"))
    population = models.PositiveIntegerField(
        _("personnes sollicitées"),
        help_text=_("Usagers sollicités (enquête usagers) ou agents concernés (enquête agents)."),
    )
    sampling_method = models.TextField(_("méthode d’échantillonnage"), blank=True)
    public_token = models.CharField(max_length=40, unique=True, default=_public_token, editable=False)
    closed_at = models.DateTimeField(_("close le"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)

    objects = CampaignQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("campagne d’enquête")
        verbose_name_plural = _("campagnes d’enquête")
        ordering = ["-opens_on", "-pk"]
        constraints = [
            models.CheckConstraint(name="campaign_dates_ordered", condition=Q(closes_on__gte=F("opens_on"))),
            models.CheckConstraint(name="campaign_population_positive", condition=Q(population__gte=1)),
            models.CheckConstraint(name="campaign_kind_valid", condition=Q(kind__in=SurveyKind.values)),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.local_service} ({self.opens_on:%d/%m/%Y})"

    @property
    def is_open(self) -> bool:
        today = timezone.localdate()
        return self.closed_at is None and self.opens_on <= today <= self.closes_on


class AnswerImport(models.Model):
    """One CSV file of answers imported into a campaign: who, when, which file, how many questionnaires.

    The questionnaires themselves are Response rows pointing here; they are never linked to a person.
    """

    # Written once by the import and never edited (the database refuses to delete it).
    HISTORY_EXEMPT = "immutable import log"

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="imports")
    file_name = models.CharField(_("fichier"), max_length=255)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    imported = models.PositiveIntegerField(_("questionnaires importés"), default=0)
    admissible = models.PositiveIntegerField(_("questionnaires recevables"), default=0)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(_("importé le"), default=timezone.now)

    class Meta:
        verbose_name = _("import de réponses")
        verbose_name_plural = _("imports de réponses")
        ordering = ["-imported_at", "-pk"]

    def __str__(self):
        return f"{self.campaign} — {self.file_name}"


class TransactionNow(Now):
    """The current time; on PostgreSQL the transaction's start (CURRENT_TIMESTAMP) rather than the statement's, so
    that every row an import writes, and the import itself, carry the same time."""

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, **extra_context)


# How many questions a questionnaire's `positions` answer other than NSP ("0").
_ANSWERED = Length(Replace(F("positions"), Value("0"), Value("")))


class Response(models.Model):
    """One questionnaire received. Anonymous: nothing links it to a person (not even an invitation).

    `positions` holds its answers, one character per question of the campaign's questionnaire in question order:
    "1"–"4" the position on the scale, "0" for « non concerné / ne se prononce pas » or unanswered. Questionnaire
    versions never change once published, so the n-th character always means the same question. The writers
    (`services.response_record`, `imports`) check every character before they store it.

    `answered` and `admissible` are computed by the database from `positions` and `complete` (generated
    columns), with the rule of `rules.is_admissible` — a test pins both at every boundary.
    """

    # Never edited once received (a correction is a new import): no history of edits, and volumes are large.
    HISTORY_EXEMPT = "immutable, anonymous answers"

    # An import writes 100,000 rows at once (issue #4 goal: within 3 × a plain COPY of the file). A foreign-key
    # constraint checks each row with a trigger that costs more than the rows themselves, so the references have
    # none: rows are written only with objects that exist (the ORM, or an import under its campaign's lock), and
    # on PostgreSQL triggers keep what they reference (migration 0005: a campaign or a person with questionnaires
    # cannot be deleted, an import never). Indexed by (campaign, admissible) below.
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="responses", db_index=False, db_constraint=False
    )
    answer_import = models.ForeignKey(
        AnswerImport,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responses",
        db_index=False,
        db_constraint=False,
    )
    channel = models.CharField(_("canal"), max_length=20, choices=Channel.choices)
    complete = models.BooleanField(_("terminé"), default=True)
    positions = models.CharField(_("réponses"), max_length=32)
    answered = models.GeneratedField(
        expression=_ANSWERED,
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
        verbose_name=_("réponses autres que NSP"),
    )
    # Complete, and MORE than half of its questions answered other than NSP (§3.4).
    admissible = models.GeneratedField(
        expression=Case(
            When(Q(complete=True) & GreaterThan(_ANSWERED * 2, Length(F("positions"))), then=Value(True)),
            default=Value(False),
        ),
        output_field=models.BooleanField(),
        db_persist=True,
        verbose_name=_("recevable"),
    )
    # An import's rows take the time of its transaction from the database default.
    received_at = models.DateTimeField(_("reçu le"), default=timezone.now, db_default=TransactionNow())
    # The staff member who keyed in a paper questionnaire; empty for every other channel (an import records
    # who imported it on its AnswerImport). Indexed only where set: imports add no entry. No constraint, as
    # above: even a NULL reference costs a deferred trigger event per row.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        verbose_name = _("questionnaire reçu")
        verbose_name_plural = _("questionnaires reçus")
        indexes = [
            models.Index(fields=["campaign", "admissible"]),
            models.Index(
                fields=["entered_by"], name="response_entered_by", condition=Q(entered_by__isnull=False)
            ),
        ]

    def __str__(self):
        return f"{self.campaign} #{self.pk}"

    def position_of(self, slot: int) -> int | None:
        """The position (1–4) given to the `slot`-th question (0-based), None for NSP."""
        return int(self.positions[slot]) or None


def _invitation_token():
    return secrets.token_urlsafe(24)


class Invitation(models.Model):
    """A personal invitation to answer a campaign, sent by e-mail: its link takes one answer (§3.4).

    The address is used to send the message and then forgotten: only a digest keyed with SECRET_KEY stays, so a
    later upload skips the people already invited without the platform keeping who they are. Nothing links an
    invitation to the questionnaire it produced (anonymity): answering only sets `answered_at`.
    """

    # Rows are never edited by people (sending and answering set dates); no history, volumes are large.
    HISTORY_EXEMPT = "no edits by people, anonymous by design"

    # Indexed by the (campaign, email_digest) unique constraint below.
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="invitations", db_index=False
    )
    email_digest = models.CharField(_("empreinte de l’adresse"), max_length=64)
    token = models.CharField(max_length=40, unique=True, default=_invitation_token, editable=False)
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)
    answered_at = models.DateTimeField(_("répondue le"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "email_digest"], name="invitation_one_per_address"),
        ]

    def __str__(self):
        return f"{self.campaign} — invitation #{self.pk}"
