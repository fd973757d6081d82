from django.db import models
from django.utils.translation import gettext_lazy as _


class Tier(models.TextChoices):
    """The label's tiers, lowest first (§2.2.1): their order is the comparison of tiers."""

    BRONZE = "bronze", _("Bronze")
    ARGENT = "argent", _("Argent")
    OR = "or", _("Or")

    @property
    def rank(self) -> int:
        return list(Tier).index(self)


class FollowUpOutcome(models.TextChoices):
    """What a follow-up audit leads to (§3.8.1, §3.9.2)."""

    CONFIRM = "confirm", _("Palier confirmé")
    UPGRADE = "upgrade", _("Palier supérieur attribué")
    ACTION_PLAN = "action_plan", _("Plan d’actions exigé sous un mois")


class DecisionOutcome(models.TextChoices):
    AWARD = "award", _("Label attribué")
    REFUSAL = "refusal", _("Label refusé")
    CONFIRM = "confirm", _("Palier confirmé")
    UPGRADE = "upgrade", _("Palier supérieur attribué")
    ACTION_PLAN = "action_plan", _("Plan d’actions exigé")


# The outcomes that give the service a tier (and an attestation).
TIER_OUTCOMES = (DecisionOutcome.AWARD, DecisionOutcome.CONFIRM, DecisionOutcome.UPGRADE)


class LabelStatus(models.TextChoices):
    ACTIVE = "active", _("Actif")
    SUSPENDED = "suspended", _("Suspendu")
    WITHDRAWN = "withdrawn", _("Retiré")


class SuspensionReason(models.TextChoices):
    """§5.3.1: the cases in which the certification body may suspend a label."""

    NO_ACTION_PLAN = "no_action_plan", _("Plan d’actions demandé après un audit de suivi non produit")
    POSTPONEMENTS = "postponements", _("Reports successifs d’audits")
    AUDIT_REFUSED = "audit_refused", _("Refus de réaliser les audits dans les conditions requises")
    TRADEMARK_BREACH = "trademark_breach", _("Manquement au règlement d’usage de la marque")
    AT_REQUEST = "at_request", _("À la demande du service labellisé (réorganisation…)")


class WithdrawalReason(models.TextChoices):
    """§5.3.2: the cases in which the certification body withdraws a label."""

    NO_FOLLOW_UP = "no_follow_up", _("Audit de suivi non réalisé du fait du service")
    SUSPENSION_NOT_LIFTED = "suspension_not_lifted", _("Mesures requises pour lever la suspension non prises")
    TRADEMARK_BREACH = "trademark_breach", _("Règlement d’usage de la marque non respecté")
    NOT_RENEWED = "not_renewed", _("Label non renouvelé à l’issue du cycle de trois ans")


class AppealStatus(models.TextChoices):
    PENDING = "pending", _("En cours d’examen")
    UPHELD = "upheld", _("Recours fondé : nouvelle décision")
    DISMISSED = "dismissed", _("Recours rejeté")
