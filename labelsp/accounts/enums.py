from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CANDIDATE = "candidate", _("Agent d’un service candidat")
    CENTRAL = "central", _("Agent d’un service public central")
    AUDITOR = "auditor", _("Auditeur")
    CB_MANAGER = "cb_manager", _("Responsable d’organisme de certification")
    DITP = "ditp", _("DITP")
    COMMISSION = "commission", _("Commission nationale du label")


# Which organisation a membership of each role points to (None: a national role).
ROLE_ORGANISATION_FIELD = {
    Role.CANDIDATE: "local_service",
    Role.CENTRAL: "central_service",
    Role.AUDITOR: "certification_body",
    Role.CB_MANAGER: "certification_body",
    Role.DITP: None,
    Role.COMMISSION: None,
}

# Roles whose holders must log in with a second factor (TOTP): they decide, habilitate and publish.
MFA_REQUIRED_ROLES = frozenset({Role.CB_MANAGER, Role.DITP})

# The object permissions (django-guardian) a membership grants on its organisation.
ROLE_OBJECT_PERMISSIONS = {
    Role.CANDIDATE: ("candidates.view_localservice", "candidates.change_localservice"),
    Role.CENTRAL: ("candidates.view_centralservice", "candidates.change_centralservice"),
    Role.AUDITOR: ("registry.view_certificationbody",),
    Role.CB_MANAGER: ("registry.view_certificationbody", "registry.change_certificationbody"),
    Role.DITP: (),
    Role.COMMISSION: (),
}
