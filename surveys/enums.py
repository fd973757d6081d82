from django.db import models
from django.utils.translation import gettext_lazy as _


class SurveyKind(models.TextChoices):
    USERS = "users", _("Enquête usagers")
    AGENTS = "agents", _("Enquête agents")


class Channel(models.TextChoices):
    """How a questionnaire reached the platform."""

    PUBLIC_LINK = "public_link", _("Lien public ou QR code")
    INVITATION = "invitation", _("Invitation personnelle")
    PAPER = "paper", _("Questionnaire papier saisi")
    IMPORT = "import", _("Import de fichier")


# The 4-position scale of every question (§3.4): position → points. None is « non concerné / ne se prononce pas ».
SCALE_POINTS = {1: 0.0, 2: 0.25, 3: 0.75, 4: 1.0}
SCALE_LABELS = {
    1: _("Pas du tout d’accord"),
    2: _("Plutôt pas d’accord"),
    3: _("Plutôt d’accord"),
    4: _("Tout à fait d’accord"),
}
NSP_LABEL = _("Non concerné / ne se prononce pas")
