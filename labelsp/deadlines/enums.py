from django.db import models
from django.utils.translation import gettext_lazy as _


class DeadlineKind(models.TextChoices):
    """Every dated obligation of the label cycle (guide §3, §5; DOMAIN.md « Decisions, attestations, lifecycle »)."""

    FOLLOW_UP_PREPARATION = "follow_up_preparation", _("Préparation de l’audit de suivi")
    FOLLOW_UP_AUDIT = "follow_up_audit", _("Audit de suivi")
    SELF_ASSESSMENT = "self_assessment", _("Autodiagnostic annuel")
    SURVEYS = "surveys", _("Enquêtes usagers et agents")
    RENEWAL = "renewal", _("Renouvellement du label")
    EXPIRY = "expiry", _("Fin de validité du label")
    REPORT = "report", _("Rapport d’audit à envoyer")
    OBSERVATIONS = "observations", _("Observations et actions correctives")
    ACTION_PLAN = "action_plan", _("Plan d’actions à transmettre")
    SUSPENSION_END = "suspension_end", _("Fin de suspension : lever ou retirer le label")
    MARK_REMOVAL = "mark_removal", _("Retrait de la marque « Services Publics + »")
    NEW_APPLICATION = "new_application", _("Nouvelle candidature possible")
    APPLICATION_FILE = "application_file", _("Dépôt du dossier de candidature")
    AUDIT_PLAN = "audit_plan", _("Envoi du plan d’audit")
    SURVEY_RESULTS_EXPIRY = (
        "survey_results_expiry",
        _("Fin de validité des résultats d’enquête pour un audit initial"),
    )
    NEW_CAMPAIGN = "new_campaign", _("Nouvelle campagne d’enquête possible")


class Actor(models.TextChoices):
    """Who must act on a deadline."""

    CANDIDATE = "candidate", _("Service candidat ou labellisé")
    BODY = "body", _("Organisme de certification")
    DITP = "ditp", _("DITP")


class DeadlineStatus(models.TextChoices):
    OPEN = "open", _("À venir")
    OVERDUE = "overdue", _("Dépassée")
    DONE = "done", _("Faite")
    CANCELLED = "cancelled", _("Annulée")


class Step(models.TextChoices):
    """What the sweep sends for a deadline: reminders before it, a notice on the day, an escalation after it."""

    REMINDER_30 = "reminder_30", _("Rappel à 30 jours")
    REMINDER_7 = "reminder_7", _("Rappel à 7 jours")
    DUE = "due", _("Échéance du jour")
    ESCALATION = "escalation", _("Échéance dépassée")


# Deadlines still to be swept (open, or overdue but not yet escalated).
ACTIVE_STATUSES = (DeadlineStatus.OPEN,)
