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


class PerimeterDomain(models.TextChoices):
    """Public-action domains of a local authority's perimeter (§1.4.2)."""

    GENERAL_RECEPTION = "general_reception", _("Accueil général, tous canaux de contact confondus")
    CIVIL_STATUS = "civil_status", _("État civil")
    TITLES = "titles", _("Délivrance des titres")
    POPULATION_SERVICES = "population_services", _("Services à la population")
    SOCIAL_ACTION = "social_action", _("Action sociale")
    EARLY_CHILDHOOD = "early_childhood", _("Petite enfance")
    URBANISM = "urbanism", _("Urbanisme")
    URBAN_SERVICES = "urban_services", _("Services urbains : eau, assainissement, déchets et environnement")
    SOLIDARITY = "solidarity", _("Solidarités et cohésion territoriale")
    TERRITORIAL_PLANNING = "territorial_planning", _("Aménagement du territoire")
    MOBILITY = "mobility", _("Mobilités et transport")
    ECONOMIC_DEVELOPMENT = "economic_development", _("Développement économique (aides et subventions)")
    TRAINING_EMPLOYMENT = "training_employment", _("Formation professionnelle et emploi")
    ENVIRONMENT = "environment", _("Environnement")
    EDUCATION_YOUTH = "education_youth", _("Éducation, enfance, famille, jeunesse")
    MUNICIPAL_POLICE = "municipal_police", _("Police municipale")
    OTHER = "other", _("Autre service en interaction avec les usagers")


class EligibilityRequestStatus(models.TextChoices):
    AWAITING_CENTRAL = "awaiting_central", _("En attente du service central")
    SUBMITTED = "submitted", _("Transmise à la DITP")
    ACCEPTED = "accepted", _("Acceptée")
    REFUSED = "refused", _("Refusée")
    DECLINED_BY_CENTRAL = "declined_by_central", _("Non transmise par le service central")


class ApplicationKind(models.TextChoices):
    INITIAL = "initial", _("Labellisation initiale")
    FOLLOW_UP = "follow_up", _("Audit de suivi")
    RENEWAL = "renewal", _("Renouvellement")
    EXTENSION = "extension", _("Extension de périmètre")


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Déposé")
    COMPLEMENTS_REQUESTED = "complements_requested", _("Compléments demandés")
    RESUBMITTED = "resubmitted", _("Complété et redéposé")
    ACKNOWLEDGED = "acknowledged", _("Recevable")
    CLOSED = "closed", _("Clos")


class ApplicationOutcome(models.TextChoices):
    """Why a file was closed."""

    AUDITED = "audited", _("Audit réalisé")
    WITHDRAWN = "withdrawn", _("Retiré par le candidat")
    REFUSED = "refused", _("Label refusé")
    LABELLED = "labelled", _("Label attribué")


class DocumentPiece(models.TextChoices):
    """Pieces of the application file (§3.5.1)."""

    ORG_CHART = "org_chart", _("Organigramme")
    TRAINING_PLAN_CURRENT = "training_plan_current", _("Plan de formation de l’année en cours")
    TRAINING_PLAN_PREVIOUS = "training_plan_previous", _("Plan de formation de l’année précédente")
    SELF_ASSESSMENT = "self_assessment", _("Résultats de l’autodiagnostic")
    USER_SURVEY = "user_survey", _("Résultats de l’enquête usagers")
    AGENT_SURVEY = "agent_survey", _("Résultats de l’enquête agents")
    ACTION_PLAN = "action_plan", _("Plan d’actions d’amélioration de la qualité de service")
    INDICATORS = "indicators", _("Liste des indicateurs de qualité de service")
    LABELS_HELD = "labels_held", _("Certificats et attestations déjà obtenus")
    OTHER = "other", _("Autre pièce")
    DEPOSIT_RECEIPT = "deposit_receipt", _("Accusé de dépôt")


# The pieces a file must carry before it can be submitted (§3.5.1).
REQUIRED_PIECES = (
    DocumentPiece.ORG_CHART,
    DocumentPiece.TRAINING_PLAN_CURRENT,
    DocumentPiece.TRAINING_PLAN_PREVIOUS,
    DocumentPiece.SELF_ASSESSMENT,
    DocumentPiece.USER_SURVEY,
    DocumentPiece.AGENT_SURVEY,
    DocumentPiece.ACTION_PLAN,
    DocumentPiece.INDICATORS,
)


class ChecklistItem(models.TextChoices):
    """What the certification body checks before acknowledging a file (§3.5.2)."""

    CONTRACT = "contract", _("Un contrat de prestation est signé avec le candidat")
    COMPLETE = "complete", _("Toutes les pièces du dossier sont présentes")
    SELF_ASSESSMENT_VALID = (
        "self_assessment_valid",
        _("L’autodiagnostic est valide et daté de moins de 12 mois"),
    )
    SURVEYS_VALID = "surveys_valid", _("Les enquêtes usagers et agents sont valides et récentes")
    SAMPLE_REPRESENTATIVE = "sample_representative", _("L’échantillon de l’enquête usagers est représentatif")
    INDICATORS = "indicators", _("Les indicateurs de qualité sont en place depuis au moins 6 mois")
