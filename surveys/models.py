import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
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


class Response(models.Model):
    """One questionnaire received. Anonymous: nothing links it to a person (not even an invitation)."""

    # Never edited once received (a correction is a new import): no history of edits, and volumes are large.
    HISTORY_EXEMPT = "immutable, anonymous answers"

    # Indexed by (campaign, admissible) below.
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="responses", db_index=False)
    channel = models.CharField(_("canal"), max_length=20, choices=Channel.choices)
    complete = models.BooleanField(_("terminé"), default=True)
    answered = models.PositiveSmallIntegerField(_("réponses autres que NSP"))
    admissible = models.BooleanField(_("recevable"))
    received_at = models.DateTimeField(_("reçu le"), default=timezone.now)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("questionnaire reçu")
        verbose_name_plural = _("questionnaires reçus")
        indexes = [models.Index(fields=["campaign", "admissible"])]

    def __str__(self):
        return f"{self.campaign} #{self.pk}"


class Answer(models.Model):
    """One question's answer: a position 1–4 and its points, or NSP (both empty)."""

    HISTORY_EXEMPT = "immutable, anonymous answers"

    # Indexed by the (response, question) unique constraint below.
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers", db_index=False)
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(null=True, blank=True)
    points = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("réponse")
        verbose_name_plural = _("réponses")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_one_per_question"),
            models.CheckConstraint(
                name="answer_position_and_points_agree",
                condition=Q(position__isnull=True, points__isnull=True)
                | Q(position=1, points=0)
                | Q(position=2, points=0.25)
                | Q(position=3, points=0.75)
                | Q(position=4, points=1),
            ),
        ]

    def __str__(self):
        return f"{self.question_id}: {self.position or 'NSP'}"


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
