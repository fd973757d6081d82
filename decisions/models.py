"""Decisions and labels (issue #6; guide §2.3, §3.8–§3.10, §5).

A decision is immutable once issued — the database refuses any UPDATE or DELETE of a decision row (migration 0002)
— and a correction is a new decision that references the one it replaces. A label holds a tier for three years
from its decision; its expiry is derived from its dates, never stored.
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from candidates.models import CentralService, LocalService
from decisions.enums import (
    MOTIVATED_OUTCOMES,
    TIER_OUTCOMES,
    AppealStatus,
    DecisionOutcome,
    LabelStatus,
    SuspensionReason,
    Tier,
    WithdrawalReason,
)
from labelsp.accounts.scoping import objects_with_perm, sees_everything
from labelsp.storage import private_storage

LABEL_YEARS = 3


class DecisionQuerySet(models.QuerySet):
    def for_user(self, user):
        """The DITP sees every decision; a certification body its own; a service (and its central service) the
        decisions about it."""
        from registry.models import CertificationBody

        if sees_everything(user):
            return self
        return self.filter(
            Q(
                certification_body__in=objects_with_perm(
                    user, "registry.view_certificationbody", CertificationBody
                )
            )
            | Q(local_service__in=LocalService.objects.for_user(user))
            | Q(central_service__in=CentralService.objects.for_user(user))
        )


class Decision(models.Model):
    """The certification body's decision on a file, with a snapshot of every input it was based on."""

    HISTORY_EXEMPT = "immutable: the database refuses any change; a correction is a new decision"

    application = models.ForeignKey(
        "candidates.Application",
        on_delete=models.PROTECT,
        related_name="decisions",
        verbose_name=_("dossier"),
    )
    local_service = models.ForeignKey(
        LocalService, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    central_service = models.ForeignKey(
        CentralService, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    certification_body = models.ForeignKey(
        "registry.CertificationBody", on_delete=models.PROTECT, related_name="decisions"
    )
    outcome = models.CharField(_("décision"), max_length=20, choices=DecisionOutcome.choices)
    tier = models.CharField(_("palier"), max_length=10, choices=Tier.choices, blank=True)
    # Every input and check shown on the decision page when it was issued (scores, surveys, conditions).
    inputs = models.JSONField(_("éléments de la décision"))
    motivation = models.TextField(_("motivation"), blank=True)
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("décision corrigée"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("décidée par")
    )
    decided_on = models.DateField(_("date de la décision"))
    issued_at = models.DateTimeField(_("émise le"), default=timezone.now)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("décision")
        verbose_name_plural = _("décisions")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="decision_one_candidate",
                condition=Q(local_service__isnull=False, central_service__isnull=True)
                | Q(local_service__isnull=True, central_service__isnull=False),
            ),
            models.CheckConstraint(
                name="decision_outcome_valid", condition=Q(outcome__in=DecisionOutcome.values)
            ),
            # A tier exactly for the outcomes that give one; a refusal is always motivated.
            models.CheckConstraint(
                name="decision_tier_matches_outcome",
                condition=Q(outcome__in=TIER_OUTCOMES, tier__in=Tier.values)
                | (~Q(outcome__in=TIER_OUTCOMES) & Q(tier="")),
            ),
            models.CheckConstraint(
                name="decision_refusal_is_motivated",
                condition=~Q(outcome__in=MOTIVATED_OUTCOMES) | ~Q(motivation=""),
            ),
        ]

    def __str__(self):
        return f"{self.get_outcome_display()} — {self.candidate} ({self.decided_on:%d/%m/%Y})"

    @property
    def candidate(self):
        return self.local_service or self.central_service


class LabelQuerySet(models.QuerySet):
    def for_user(self, user):
        """Labels are public once issued (the registry); in the application, a user works on those of their
        organisation: the body that issued it, the service and its central service; the DITP on all."""
        from registry.models import CertificationBody

        if sees_everything(user):
            return self
        return self.filter(
            Q(
                certification_body__in=objects_with_perm(
                    user, "registry.view_certificationbody", CertificationBody
                )
            )
            | Q(local_service__in=LocalService.objects.for_user(user))
            | Q(central_service__in=CentralService.objects.for_user(user))
        )

    def in_force(self, on: datetime.date | None = None):
        """Labels not withdrawn whose validity covers `on` (today by default), suspended ones included."""
        on = on or timezone.localdate()
        return self.exclude(status=LabelStatus.WITHDRAWN).filter(starts_on__lte=on, ends_on__gte=on)


class Label(models.Model):
    """A service's label: tier, first day (the decision date) and last day of validity (`label_last_day`); expired
    once past its last day."""

    local_service = models.ForeignKey(
        LocalService, on_delete=models.PROTECT, null=True, blank=True, related_name="labels"
    )
    central_service = models.ForeignKey(
        CentralService, on_delete=models.PROTECT, null=True, blank=True, related_name="labels"
    )
    certification_body = models.ForeignKey(
        "registry.CertificationBody", on_delete=models.PROTECT, related_name="labels"
    )
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="labels")
    tier = models.CharField(_("palier"), max_length=10, choices=Tier.choices)
    starts_on = models.DateField(_("début de validité"))
    ends_on = models.DateField(_("dernier jour de validité"))
    status = models.CharField(
        _("état"), max_length=20, choices=LabelStatus.choices, default=LabelStatus.ACTIVE
    )
    # A renewal's label names the label it follows (§3.10): the earlier one ends the day before the new cycle.
    renews = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewed_by",
        verbose_name=_("label renouvelé"),
    )
    # The public registry's order (issue #8): the labelled service's name, copied here so that a page of the
    # registry is read in index order instead of sorting every label joined to its service. Set on save
    # (`save`), by the bulk creators, and kept on renaming (decisions/apps.py).
    sort_name = models.CharField(max_length=200, blank=True, default="", editable=False)

    objects = LabelQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("label")
        verbose_name_plural = _("labels")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="label_one_candidate",
                condition=Q(local_service__isnull=False, central_service__isnull=True)
                | Q(local_service__isnull=True, central_service__isnull=False),
            ),
            models.CheckConstraint(name="label_tier_valid", condition=Q(tier__in=Tier.values)),
            models.CheckConstraint(name="label_status_valid", condition=Q(status__in=LabelStatus.values)),
            models.CheckConstraint(name="label_dates_ordered", condition=Q(ends_on__gte=F("starts_on"))),
        ]
        indexes = [models.Index(fields=["sort_name", "id"], name="label_registry_order")]

    def __str__(self):
        return f"{self.get_tier_display()} — {self.local_service or self.central_service}"

    def save(self, *args, **kwargs):
        if not self.sort_name:
            self.sort_name = (self.local_service or self.central_service).name
        super().save(*args, **kwargs)

    def is_expired(self, on: datetime.date | None = None) -> bool:
        return (on or timezone.localdate()) > self.ends_on

    def is_renewed(self) -> bool:
        return Label.objects.filter(renews=self).exists()


def label_last_day(starts_on: datetime.date) -> datetime.date:
    """A label is valid 3 years from its decision (§2.3). Interpretation, as for habilitations: decided on 15 March
    2027, valid until 14 March 2030 included, expired from 15 March 2030; decided on 29 February 2028, valid until
    27 February 2031 (the anniversary falls on 28 February)."""
    return starts_on + relativedelta(years=LABEL_YEARS) - datetime.timedelta(days=1)


def _attestation_path(instance, filename):
    return f"attestations/{instance.number}.pdf"


class Attestation(models.Model):
    """A version of a label's attestation: a signed PDF whose SHA-256 is kept, verifiable by its random token. An
    upgrade or an extension issues a new version; the previous one stays verifiable as replaced."""

    label = models.ForeignKey(Label, on_delete=models.PROTECT, related_name="attestations")
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="attestations")
    version = models.PositiveSmallIntegerField(_("version"))
    number = models.CharField(_("numéro"), max_length=40, unique=True)
    token = models.CharField(_("jeton de vérification"), max_length=64, unique=True)
    pdf = models.FileField(
        _("attestation (PDF)"),
        storage=private_storage,
        upload_to=_attestation_path,
        max_length=300,
        blank=True,
    )
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64, blank=True)
    issued_at = models.DateTimeField(_("émise le"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attestation de labellisation")
        verbose_name_plural = _("attestations de labellisation")
        ordering = ["label", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["label", "version"], name="attestation_unique_version"),
        ]

    def __str__(self):
        return self.number


class ActionPlanRequest(models.Model):
    """After a follow-up below the tier held: an action plan is due within one month, failing which the label may
    be suspended (§3.8.1, §3.9.1)."""

    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="action_plan")
    label = models.ForeignKey(Label, on_delete=models.PROTECT, related_name="action_plans")
    due_on = models.DateField(_("à produire au plus tard le"))
    submitted_at = models.DateTimeField(_("produit le"), null=True, blank=True)
    summary = models.TextField(_("plan d’actions"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("plan d’actions exigé")
        verbose_name_plural = _("plans d’actions exigés")
        ordering = ["due_on", "pk"]

    def __str__(self):
        return f"{self.label} — {self.due_on:%d/%m/%Y}"


class Suspension(models.Model):
    """A suspension (§5.3.1): at most 12 months, published while it lasts; lifting it does not extend validity."""

    label = models.ForeignKey(Label, on_delete=models.PROTECT, related_name="suspensions")
    reason = models.CharField(_("motif"), max_length=30, choices=SuspensionReason.choices)
    details = models.TextField(_("précisions"), blank=True)
    starts_on = models.DateField(_("suspendu à partir du"))
    ends_on = models.DateField(_("suspendu au plus tard jusqu’au"))
    lifted_on = models.DateField(_("levée le"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("décidée par")
    )
    created_at = models.DateTimeField(_("enregistrée le"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("suspension")
        verbose_name_plural = _("suspensions")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="suspension_reason_valid", condition=Q(reason__in=SuspensionReason.values)
            ),
            models.CheckConstraint(name="suspension_dates_ordered", condition=Q(ends_on__gte=F("starts_on"))),
        ]

    def __str__(self):
        return f"{self.label} — {self.get_reason_display()}"


class Withdrawal(models.Model):
    """A withdrawal (§5.3.2), effective on a date: the service leaves the public list that day and must stop using
    the mark within two months."""

    label = models.OneToOneField(Label, on_delete=models.PROTECT, related_name="withdrawal")
    reason = models.CharField(_("motif"), max_length=30, choices=WithdrawalReason.choices)
    details = models.TextField(_("précisions"), blank=True)
    effective_on = models.DateField(_("date d’effet"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("décidé par")
    )
    created_at = models.DateTimeField(_("notifié le"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("retrait")
        verbose_name_plural = _("retraits")
        ordering = ["-effective_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="withdrawal_reason_valid", condition=Q(reason__in=WithdrawalReason.values)
            ),
        ]

    def __str__(self):
        return f"{self.label} — {self.effective_on:%d/%m/%Y}"


class Appeal(models.Model):
    """A candidate's appeal against a decision (§5.1), examined by the body's impartial committee; an upheld appeal
    leads to a new decision that replaces the contested one."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="appeals")
    grounds = models.TextField(_("motifs du recours"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("déposé par")
    )
    filed_at = models.DateTimeField(_("déposé le"), default=timezone.now)
    status = models.CharField(
        _("état"), max_length=20, choices=AppealStatus.choices, default=AppealStatus.PENDING
    )
    committee_opinion = models.TextField(_("avis du comité"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enregistré par"),
    )
    decided_at = models.DateTimeField(_("examiné le"), null=True, blank=True)
    new_decision = models.OneToOneField(
        Decision, on_delete=models.PROTECT, null=True, blank=True, related_name="appeal_origin"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("recours")
        verbose_name_plural = _("recours")
        ordering = ["-filed_at", "-pk"]
        constraints = [
            models.CheckConstraint(name="appeal_status_valid", condition=Q(status__in=AppealStatus.values)),
            models.CheckConstraint(
                name="appeal_decided_is_recorded",
                condition=Q(status=AppealStatus.PENDING)
                | Q(decided_at__isnull=False, recorded_by__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.decision} — {self.get_status_display()}"
