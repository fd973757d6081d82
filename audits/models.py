"""Audits (guide §3.3, §3.6, §3.7, §3.9): grids as versioned data, the audit with its plan, its auditors and its
draws, the grades given on site, the report and what the candidate answers to it."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from audits.enums import (
    AssignmentStatus,
    AuditKind,
    AuditScope,
    AuditStatus,
    CorrectiveJudgement,
    DrawKind,
    GradeOutcome,
    GridKind,
)
from candidates.models import Application, CentralService, LocalService, Site
from labelsp.accounts.scoping import objects_with_perm, sees_everything
from labelsp.storage import private_storage
from labelsp.workflow import TransitionLog

# --- Grids (versioned data, published by the DITP) ----------------------------------------------------------------


class AuditGridQuerySet(models.QuerySet):
    def current(self, kind: str):
        """The latest published version of a kind: the one new audits use."""
        return self.filter(kind=kind).order_by("-version").first()


class AuditGrid(models.Model):
    """A version of the local or central audit grid. Never changed once published: an audit keeps the version it
    started with, and a new version only applies to audits created afterwards."""

    kind = models.CharField(_("grille"), max_length=10, choices=GridKind.choices)
    version = models.PositiveSmallIntegerField(_("version"))
    title = models.CharField(_("titre"), max_length=200)
    source_sha256 = models.CharField(_("empreinte SHA-256 du fichier"), max_length=64, blank=True)
    published_at = models.DateTimeField(_("publiée le"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("publiée par"),
    )

    objects = AuditGridQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("version de grille d’audit")
        verbose_name_plural = _("versions de grille d’audit")
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="auditgrid_unique_version"),
            models.CheckConstraint(name="auditgrid_kind_valid", condition=Q(kind__in=GridKind.values)),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — v{self.version}"


class GridSection(models.Model):
    """A commitment ("1"…"8") or the « Or » criteria ("or") of the local grid; a theme of the central grid."""

    HISTORY_EXEMPT = "part of its grid version, never changed once published"

    grid = models.ForeignKey(AuditGrid, on_delete=models.PROTECT, related_name="sections")
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("intitulé"), max_length=300)
    position = models.PositiveSmallIntegerField(_("ordre"))

    class Meta:
        verbose_name = _("partie de grille")
        verbose_name_plural = _("parties de grille")
        ordering = ["grid", "position"]
        constraints = [
            models.UniqueConstraint(fields=["grid", "code"], name="gridsection_unique_code"),
        ]

    def __str__(self):
        return self.title


class Checkpoint(models.Model):
    """One requirement the auditor grades (0 / 0.25 / 0.75 / 1 on the local grid, yes / no on the central one)."""

    HISTORY_EXEMPT = "part of its grid version, never changed once published"

    grid = models.ForeignKey(AuditGrid, on_delete=models.PROTECT, related_name="checkpoints")
    section = models.ForeignKey(GridSection, on_delete=models.PROTECT, related_name="checkpoints")
    code = models.CharField(_("code"), max_length=20)
    requirement = models.TextField(_("exigence"))
    guidance = models.TextField(_("éléments de preuve attendus"), blank=True)
    position = models.PositiveSmallIntegerField(_("ordre"))

    class Meta:
        verbose_name = _("point de contrôle")
        verbose_name_plural = _("points de contrôle")
        ordering = ["grid", "position"]
        constraints = [
            models.UniqueConstraint(fields=["grid", "code"], name="checkpoint_unique_code"),
        ]

    def __str__(self):
        return f"{self.code} — {self.requirement[:60]}"


# --- The audit -----------------------------------------------------------------------------------------------------


class AuditQuerySet(models.QuerySet):
    def for_user(self, user):
        """The DITP sees every audit; a certification body's managers see the body's audits; an auditor sees the
        audits they are proposed for or assigned to; a candidate (and its central service) sees its audits once the
        plan has been sent."""
        from registry.models import CertificationBody

        if sees_everything(user):
            return self
        if not user.is_authenticated:
            return self.none()
        managed = objects_with_perm(user, "registry.change_certificationbody", CertificationBody)
        return self.filter(
            Q(certification_body__in=managed)
            | Q(
                pk__in=AuditAssignment.objects.filter(
                    auditor=user, status__in=(AssignmentStatus.PROPOSED, AssignmentStatus.ASSIGNED)
                ).values("audit_id")
            )
            | (
                (
                    Q(local_service__in=LocalService.objects.for_user(user))
                    | Q(central_service__in=CentralService.objects.for_user(user))
                )
                & ~Q(status=AuditStatus.PLANNING)
            )
        )

    def assigned_to(self, user):
        """The audits `user` is assigned to as an auditor (after declaring no conflict of interest)."""
        return self.filter(
            pk__in=AuditAssignment.objects.filter(auditor=user, status=AssignmentStatus.ASSIGNED).values(
                "audit_id"
            )
        )


class Audit(models.Model):
    """One audit of a candidate by its certification body, from the plan to the report (§3.6, §3.7)."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="audits", verbose_name=_("dossier de candidature")
    )
    kind = models.CharField(_("nature de l’audit"), max_length=20, choices=AuditKind.choices)
    scope = models.CharField(_("service audité"), max_length=10, choices=AuditScope.choices)
    status = models.CharField(
        _("état"), max_length=20, choices=AuditStatus.choices, default=AuditStatus.PLANNING
    )
    local_service = models.ForeignKey(
        LocalService,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audits",
        verbose_name=_("service local audité"),
    )
    central_service = models.ForeignKey(
        CentralService,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audits",
        verbose_name=_("service central audité"),
    )
    certification_body = models.ForeignKey(
        "registry.CertificationBody",
        on_delete=models.PROTECT,
        related_name="audits",
        verbose_name=_("organisme de certification"),
    )
    grid = models.ForeignKey(
        AuditGrid, on_delete=models.PROTECT, related_name="audits", verbose_name=_("version de la grille")
    )
    previous_audit = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("audit précédent"),
        help_text=_("Pour un audit de suivi : ses points notés sous 0,75 sont signalés."),
    )
    network_audit = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="local_audits",
        verbose_name=_("audit du service central"),
        help_text=_("Pour un service local tiré au sort dans le réseau d’un service central (§3.3)."),
    )
    # The plan (§3.6)
    visit_start = models.DateField(_("premier jour de visite"), null=True, blank=True)
    visit_end = models.DateField(_("dernier jour de visite"), null=True, blank=True)
    duration_days = models.DecimalField(
        _("durée d’audit (jours)"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    sites = models.ManyToManyField(Site, blank=True, related_name="audits", verbose_name=_("sites audités"))
    resource_persons = models.TextField(_("personnes ressources"), blank=True)
    agenda = models.TextField(_("déroulé de l’audit"), blank=True)
    plan_sent_at = models.DateTimeField(_("plan envoyé le"), null=True, blank=True)
    # On site (§3.7)
    closing_summary = models.TextField(_("synthèse à chaud de la réunion de clôture"), blank=True)
    closing_meeting_at = models.DateTimeField(_("réunion de clôture tenue le"), null=True, blank=True)
    # The report (§3.7.1)
    report_presentation = models.TextField(_("présentation du service"), blank=True)
    report_synthesis = models.TextField(_("synthèse"), blank=True)
    report_illustrations = models.TextField(_("illustrations opérationnelles"), blank=True)
    report_strengths = models.TextField(_("points forts"), blank=True)
    report_improvements = models.TextField(_("axes de progrès"), blank=True)
    report_sent_at = models.DateTimeField(_("rapport envoyé le"), null=True, blank=True)
    report_pdf = models.FileField(
        _("rapport (PDF)"), storage=private_storage, upload_to="audits/reports/", max_length=300, blank=True
    )
    report_sha256 = models.CharField(_("empreinte SHA-256 du rapport"), max_length=64, blank=True)
    closed_at = models.DateTimeField(_("transmis pour décision le"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("créé par")
    )
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)

    objects = AuditQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["status"])

    class Meta:
        verbose_name = _("audit")
        verbose_name_plural = _("audits")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="audit_one_candidate",
                condition=Q(scope=AuditScope.LOCAL, local_service__isnull=False, central_service__isnull=True)
                | Q(scope=AuditScope.CENTRAL, local_service__isnull=True, central_service__isnull=False),
            ),
            models.CheckConstraint(name="audit_status_valid", condition=Q(status__in=AuditStatus.values)),
            models.CheckConstraint(name="audit_kind_valid", condition=Q(kind__in=AuditKind.values)),
            models.CheckConstraint(
                name="audit_visit_dates_ordered",
                condition=Q(visit_start__isnull=True)
                | Q(visit_end__isnull=True)
                | Q(visit_end__gte=F("visit_start")),
            ),
            models.CheckConstraint(
                name="audit_sent_plan_has_dates",
                condition=Q(status=AuditStatus.PLANNING)
                | Q(plan_sent_at__isnull=False, visit_start__isnull=False, visit_end__isnull=False),
            ),
            models.CheckConstraint(
                name="audit_sent_report_is_stored",
                condition=~Q(status__in=(AuditStatus.REPORT_SENT, AuditStatus.CLOSED))
                | (Q(report_sent_at__isnull=False) & ~Q(report_sha256="")),
            ),
            # One audit per file.
            models.UniqueConstraint(fields=["application"], name="audit_one_per_application"),
        ]
        indexes = [models.Index(fields=["certification_body", "status"])]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.candidate}"

    @property
    def candidate(self):
        return self.local_service or self.central_service

    @property
    def is_central(self) -> bool:
        return self.scope == AuditScope.CENTRAL

    @property
    def grades_locked(self) -> bool:
        return self.report_sent_at is not None


class AuditLog(TransitionLog):
    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="log")

    class Meta(TransitionLog.Meta):
        verbose_name = _("événement d’audit")
        verbose_name_plural = _("historique des audits")


class AuditAssignment(models.Model):
    """An auditor proposed for an audit by the body's manager. The auditor is assigned only once they have declared,
    with its date, that they have no conflict of interest with the audited service (ISO/IEC 17065, §4.3)."""

    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="assignments")
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="audit_assignments",
        verbose_name=_("auditeur"),
    )
    status = models.CharField(
        _("état"), max_length=20, choices=AssignmentStatus.choices, default=AssignmentStatus.PROPOSED
    )
    is_lead = models.BooleanField(_("responsable d’audit"), default=False)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposé par")
    )
    proposed_at = models.DateTimeField(_("proposé le"), default=timezone.now)
    declared_at = models.DateTimeField(_("déclaration signée le"), null=True, blank=True)
    declaration = models.TextField(_("texte de la déclaration"), blank=True)
    declined_reason = models.TextField(_("conflit d’intérêts déclaré"), blank=True)
    removed_at = models.DateTimeField(_("retiré le"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("affectation d’auditeur")
        verbose_name_plural = _("affectations d’auditeurs")
        ordering = ["audit", "-is_lead", "proposed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "auditor"],
                condition=Q(status__in=(AssignmentStatus.PROPOSED, AssignmentStatus.ASSIGNED)),
                name="auditassignment_one_open_per_auditor",
            ),
            models.CheckConstraint(
                name="auditassignment_status_valid", condition=Q(status__in=AssignmentStatus.values)
            ),
            models.CheckConstraint(
                name="auditassignment_assigned_has_declaration",
                condition=~Q(status=AssignmentStatus.ASSIGNED) | Q(declared_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.auditor} — {self.audit}"


class SamplingDraw(models.Model):
    """A recorded random draw (§3.3): the local services of a central candidate's network, or the sites of a
    multi-site service. Seed, population and result are kept, so anyone can re-run it (audits.rules.draw)."""

    HISTORY_EXEMPT = "never changed once drawn"

    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="draws")
    kind = models.CharField(_("tirage"), max_length=10, choices=DrawKind.choices)
    seed = models.CharField(_("graine"), max_length=64)
    # [[identifier, label], …] sorted by identifier, as drawn from.
    population = models.JSONField(_("population"))
    excluded = models.JSONField(_("exclus (déjà audités)"), default=list, blank=True)
    size = models.PositiveSmallIntegerField(_("taille de l’échantillon"))
    selected = models.JSONField(_("résultat, dans l’ordre du tirage"))
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("tiré par")
    )
    drawn_at = models.DateTimeField(_("tiré le"), default=timezone.now)

    class Meta:
        verbose_name = _("tirage au sort")
        verbose_name_plural = _("tirages au sort")
        ordering = ["audit", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "kind"], name="samplingdraw_one_per_kind"),
            models.CheckConstraint(name="samplingdraw_kind_valid", condition=Q(kind__in=DrawKind.values)),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.audit}"

    @property
    def labels(self) -> dict:
        return {str(identifier): label for identifier, label in self.population}


# --- Grading ------------------------------------------------------------------------------------------------------


class Grade(models.Model):
    """The current grade of one checkpoint in one audit. `version` grows by one at every change; a change based on
    an older version, made by another device, is a conflict (audits.services.audit_grade_batch)."""

    HISTORY_EXEMPT = (
        "every change is a GradeOperation row (who, when, from which device, based on which version)"
    )

    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="grades")
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(_("points"), max_digits=3, decimal_places=2, null=True, blank=True)
    comment = models.TextField(_("commentaire"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    device_id = models.CharField(_("appareil"), max_length=64, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("noté par")
    )
    updated_at = models.DateTimeField(_("noté le"), default=timezone.now)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["audit", "checkpoint__position"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "checkpoint"], name="grade_one_per_checkpoint"),
            models.CheckConstraint(
                name="grade_points_on_scale",
                condition=Q(points__isnull=True) | Q(points__in=(0, 0.25, 0.75, 1)),
            ),
        ]

    def __str__(self):
        return f"{self.checkpoint.code}: {self.points}"


class GradeOperation(models.Model):
    """One grade sent by a tablet, kept forever: the audit trail of grading, and the key of idempotent replays
    (`op_id`, made on the device). A conflict is recorded too, with the server's value it ran into."""

    HISTORY_EXEMPT = "append-only log"

    op_id = models.UUIDField(_("identifiant de l’opération"), unique=True, default=uuid.uuid4)
    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="+")
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="+")
    device_id = models.CharField(_("appareil"), max_length=64)
    points = models.DecimalField(_("points"), max_digits=3, decimal_places=2, null=True, blank=True)
    comment = models.TextField(_("commentaire"), blank=True)
    base_version = models.PositiveIntegerField(_("version de départ"))
    outcome = models.CharField(_("résultat"), max_length=10, choices=GradeOutcome.choices)
    resulting_version = models.PositiveIntegerField(_("version obtenue"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("auteur")
    )
    graded_at = models.DateTimeField(_("noté sur l’appareil le"), null=True, blank=True)
    received_at = models.DateTimeField(_("reçu le"), default=timezone.now)

    class Meta:
        verbose_name = _("saisie de note")
        verbose_name_plural = _("saisies de notes")
        ordering = ["received_at", "pk"]
        indexes = [models.Index(fields=["audit", "checkpoint"])]

    def __str__(self):
        return str(self.op_id)


def _photo_path(instance, filename):
    return f"audits/{instance.audit_id}/photos/{instance.op_id}.{filename.rsplit('.', 1)[-1]}"


class EvidencePhoto(models.Model):
    """A photo taken on site as evidence for a checkpoint. Uploaded once per `op_id` (replays are harmless)."""

    op_id = models.UUIDField(_("identifiant de l’envoi"), unique=True, default=uuid.uuid4)
    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="photos")
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(_("photo"), storage=private_storage, upload_to=_photo_path, max_length=300)
    content_type = models.CharField(_("type de contenu"), max_length=60)
    size = models.PositiveIntegerField(_("taille (octets)"))
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("prise par")
    )
    uploaded_at = models.DateTimeField(_("reçue le"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("photo de preuve")
        verbose_name_plural = _("photos de preuve")
        ordering = ["audit", "uploaded_at", "pk"]

    def __str__(self):
        return f"{self.checkpoint.code} — {self.uploaded_at:%d/%m/%Y %H:%M}"


# --- After the report ---------------------------------------------------------------------------------------------


class Observation(models.Model):
    """The candidate's observations on the report, within 10 days of its receipt (§3.7.1). They are attached to the
    report and never change a grade."""

    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="observations")
    text = models.TextField(_("observations"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("auteur")
    )
    created_at = models.DateTimeField(_("envoyées le"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("observation sur le rapport")
        verbose_name_plural = _("observations sur les rapports")
        ordering = ["audit", "created_at", "pk"]

    def __str__(self):
        return f"{self.audit} — {self.created_at:%d/%m/%Y}"


class CorrectiveAction(models.Model):
    """A central candidate's corrective action on a checkpoint not validated, within 10 days of the report; the
    auditor accepts or refuses it (§3.9.2)."""

    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="corrective_actions")
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="+")
    proposal = models.TextField(_("action corrective proposée"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposée par")
    )
    proposed_at = models.DateTimeField(_("proposée le"), default=timezone.now)
    judgement = models.CharField(
        _("avis de l’auditeur"),
        max_length=10,
        choices=CorrectiveJudgement.choices,
        default=CorrectiveJudgement.PENDING,
    )
    judgement_comment = models.TextField(_("motif de l’avis"), blank=True)
    judged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("examinée par"),
    )
    judged_at = models.DateTimeField(_("examinée le"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("action corrective")
        verbose_name_plural = _("actions correctives")
        ordering = ["audit", "checkpoint__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "checkpoint"], name="correctiveaction_one_per_checkpoint"
            ),
            models.CheckConstraint(
                name="correctiveaction_judgement_valid", condition=Q(judgement__in=CorrectiveJudgement.values)
            ),
            models.CheckConstraint(
                name="correctiveaction_judged_has_author",
                condition=Q(judgement=CorrectiveJudgement.PENDING)
                | Q(judged_by__isnull=False, judged_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.checkpoint.code} — {self.audit}"
