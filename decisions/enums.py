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
    MORE_LOCALS = "more_locals", _("D’autres services locaux à présenter")


class DecisionOutcome(models.TextChoices):
    AWARD = "award", _("Label attribué")
    REFUSAL = "refusal", _("Label refusé")
    CONFIRM = "confirm", _("Palier confirmé")
    UPGRADE = "upgrade", _("Palier supérieur attribué")
    ACTION_PLAN = "action_plan", _("Plan d’actions exigé")
    # A central follow-up year where fewer than ⌈75 %⌉ of the sampled locals are labelled (§3.9.2).
    MORE_LOCALS = "more_locals", _("D’autres services locaux à présenter")
    # Extension of perimeter during validity (§3.10): the added sites / domains reach the tier held, or not.
    EXTENSION = "extension", _("Extension de périmètre accordée")
    EXTENSION_REFUSAL = "extension_refusal", _("Extension de périmètre refusée")


# The outcomes that give the service a tier (and an attestation).
TIER_OUTCOMES = (
    DecisionOutcome.AWARD,
    DecisionOutcome.CONFIRM,
    DecisionOutcome.UPGRADE,
    DecisionOutcome.EXTENSION,
)
# The outcomes that must be motivated in writing.
MOTIVATED_OUTCOMES = (DecisionOutcome.REFUSAL, DecisionOutcome.EXTENSION_REFUSAL)


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
    # §3.9.2: a central follow-up year with too few labelled locals; the label may be suspended until more are.
    NETWORK_BELOW_THRESHOLD = (
        "network_below_threshold",
        _(
            "Réseau : part des services locaux audités labellisés sous 75 %, d’autres services locaux à présenter"
        ),
    )


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
