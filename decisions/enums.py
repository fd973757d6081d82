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
