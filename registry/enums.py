from django.db import models
from django.utils.translation import gettext_lazy as _


class AccreditationStandard(models.TextChoices):
    """COFRAC accreditation a body must hold to be habilitated (§1.3)."""

    ISO_17065 = "iso17065", _("NF EN ISO/CEI 17065 (produits et services)")
    ISO_17021_1 = "iso17021-1", _("NF EN ISO/CEI 17021-1 (systèmes de management)")


class HabilitationStatus(models.TextChoices):
    ACTIVE = "active", _("Habilité")
    SUSPENDED = "suspended", _("Habilitation suspendue")
    WITHDRAWN = "withdrawn", _("Habilitation retirée")
