from django.db import models
from django.utils.translation import gettext_lazy as _


class LocalServiceKind(models.TextChoices):
    """The kinds of public services that may apply (§1.4, annex 3); local authorities are volunteers."""

    STATE_DECONCENTRATED = "state_deconcentrated", _("Service déconcentré de l’État")
    STATE_PUBLIC_ESTABLISHMENT = "state_establishment", _("Établissement public de l’État")
    SOCIAL_SECURITY = "social_security", _("Organisme de sécurité sociale")
    EPLE = "eple", _("Établissement public local d’enseignement")
    PUBLIC_HOSPITAL = "public_hospital", _("Établissement public de santé")
    COMMUNE = "commune", _("Commune")
    EPCI = "epci", _("Établissement public de coopération intercommunale")
    DEPARTEMENT = "departement", _("Département")
    REGION = "region", _("Région")
    SPECIAL_STATUS_AUTHORITY = "special_status", _("Collectivité à statut particulier")

    @classmethod
    def local_authorities(cls):
        return [cls.COMMUNE, cls.EPCI, cls.DEPARTEMENT, cls.REGION, cls.SPECIAL_STATUS_AUTHORITY]


class SiteKind(models.TextChoices):
    PRINCIPAL = "principal", _("Site principal")
    SECONDARY = "secondary", _("Site secondaire")
    ANNEX = "annex", _("Annexe")
