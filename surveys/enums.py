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

# The 8 commitments of Services Publics+ and the global satisfaction: the groups of the user survey (§3.4.1).
COMMITMENT_LABELS = {
    "1": _("Engagement 1 — Un accueil respectueux et bienveillant, le droit à l’erreur"),
    "2": _("Engagement 2 — Un service facile à contacter"),
    "3": _("Engagement 3 — Un accompagnement adapté à la situation personnelle"),
    "4": _("Engagement 4 — Des demandes traitées dans les délais annoncés"),
    "5": _("Engagement 5 — Une information claire, simple et accessible"),
    "6": _("Engagement 6 — L’accès aux résultats de qualité du service"),
    "7": _("Engagement 7 — L’avis des usagers pris en compte pour améliorer le service"),
    "8": _("Engagement 8 — Agir avec les usagers pour limiter l’impact environnemental"),
    "satisfaction": _("Satisfaction globale"),
}
