from django.db import models
from django.utils.translation import gettext_lazy as _


class GridKind(models.TextChoices):
    LOCAL = "local", _("Grille d’audit d’un service local")
    CENTRAL = "central", _("Grille d’audit d’un service central")


# The section of the local grid holding the « Or » supplementary criteria (annex 2); the others are "1"…"8".
OR_SECTION = "or"
LOCAL_SECTIONS = ("1", "2", "3", "4", "5", "6", "7", "8", OR_SECTION)


class AuditKind(models.TextChoices):
    """The same values as candidates.enums.ApplicationKind: an audit is created from a file of its kind."""

    INITIAL = "initial", _("Audit initial")
    FOLLOW_UP = "follow_up", _("Audit de suivi")
    RENEWAL = "renewal", _("Audit de renouvellement")
    EXTENSION = "extension", _("Audit d’extension")


class AuditScope(models.TextChoices):
    LOCAL = "local", _("Service local")
    CENTRAL = "central", _("Service central")


class AuditStatus(models.TextChoices):
    PLANNING = "planning", _("En préparation")
    PLAN_SENT = "plan_sent", _("Plan d’audit envoyé")
    IN_PROGRESS = "in_progress", _("Audit sur site en cours")
    REPORT_SENT = "report_sent", _("Rapport envoyé")
    CLOSED = "closed", _("Transmis pour décision")


# Grades may change only while the audit is planned or in progress; the report locks them (§3.7.1).
GRADABLE_STATUSES = (AuditStatus.PLAN_SENT, AuditStatus.IN_PROGRESS)
# An audit « has its result » once its report is sent: a central audit waits for every sampled local's (§3.9.2).
RESULT_STATUSES = (AuditStatus.REPORT_SENT, AuditStatus.CLOSED)


class AssignmentStatus(models.TextChoices):
    PROPOSED = "proposed", _("En attente de la déclaration d’absence de conflit d’intérêts")
    ASSIGNED = "assigned", _("Affecté")
    DECLINED = "declined", _("Conflit d’intérêts déclaré")
    REMOVED = "removed", _("Retiré de l’audit")


class DrawKind(models.TextChoices):
    LOCALS = "locals", _("Services locaux du réseau")
    SITES = "sites", _("Sites du service")


class GradeOutcome(models.TextChoices):
    APPLIED = "applied", _("Enregistrée")
    CONFLICT = "conflict", _("En conflit")


class CorrectiveJudgement(models.TextChoices):
    PENDING = "pending", _("À examiner par l’auditeur")
    ACCEPTED = "accepted", _("Acceptée")
    REJECTED = "rejected", _("Refusée")
