import factory
from django.utils import timezone

from candidates.enums import LocalServiceKind, SiteKind
from candidates.models import CentralService, LocalService, Site
from labelsp.validators import complete_siret


def _siret(n: int, prefix: str) -> str:
    return complete_siret(f"{prefix}{n:09d}")


class CentralServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CentralService

    name = factory.Sequence(lambda n: f"Direction nationale n°{n}")
    network_name = factory.Sequence(lambda n: f"Réseau {n}")
    ministry = "Ministère du Travail, de la Santé et des Solidarités"
    siret = factory.Sequence(lambda n: _siret(n, "1300"))


class LocalServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocalService

    name = factory.Sequence(lambda n: f"Service local n°{n}")
    kind = LocalServiceKind.STATE_DECONCENTRATED
    siret = factory.Sequence(lambda n: _siret(n, "1301"))
    street = "1 place de la République"
    postal_code = "69001"
    city = "Lyon"
    departement = "69"
    parent = None
    # A local created inside a network is a confirmed member of it, unless the test says otherwise.
    parent_confirmed_at = factory.LazyAttribute(lambda o: timezone.now() if o.parent else None)

    class Params:
        in_network = factory.Trait(parent=factory.SubFactory(CentralServiceFactory))


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    local_service = factory.SubFactory(LocalServiceFactory)
    name = factory.Sequence(lambda n: f"Site n°{n}")
    kind = SiteKind.SECONDARY
    street = "2 rue de la Gare"
    postal_code = "69002"
    city = "Lyon"
    departement = "69"
    agents_in_contact = 12


# --- Issue #3: eligibility, contracts, application files -----------------------------------------------------------

import datetime  # noqa: E402

from django.core.files.base import ContentFile  # noqa: E402

from candidates.enums import ApplicationKind, ApplicationStatus, DocumentPiece, EligibilityRequestStatus  # noqa: E402
from candidates.models import (  # noqa: E402
    Application,
    ApplicationDocument,
    EligibilityRequest,
    EligibleCategory,
    ServiceContract,
)
from candidates.rules import contract_cycle_end  # noqa: E402

# The smallest valid PDF: libmagic recognises it as application/pdf.
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


class EligibleCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EligibleCategory
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Catégorie éligible n°{n}")
    kind = LocalServiceKind.STATE_DECONCENTRATED


class ServiceContractFactory(factory.django.DjangoModelFactory):
    """A signed contract covering today; `local_service` by default, pass `central_service` for a network."""

    class Meta:
        model = ServiceContract

    certification_body = factory.SubFactory("tests.registry.factories.CertificationBodyFactory")
    local_service = factory.SubFactory(LocalServiceFactory)
    central_service = None
    signed_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=60))
    cycle_start = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    cycle_end = factory.LazyAttribute(lambda o: contract_cycle_end(o.cycle_start))
    unit_count = 3
    recorded_by = factory.SubFactory("tests.accounts.factories.UserFactory")


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A file of a local service, filed with the body of its contract. Traits fill it completely."""

    class Meta:
        model = Application

    contract = factory.SubFactory(ServiceContractFactory)
    local_service = factory.LazyAttribute(
        lambda o: o.contract.local_service or LocalServiceFactory(parent=o.contract.central_service)
    )
    certification_body = factory.LazyAttribute(lambda o: o.contract.certification_body)
    kind = ApplicationKind.INITIAL
    status = ApplicationStatus.DRAFT
    created_by = factory.SubFactory("tests.accounts.factories.UserFactory")

    class Params:
        # Every field filled with values valid for a submission today (audit in ~2 months).
        complete = factory.Trait(
            audit_start=factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=60)),
            audit_end=factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=61)),
            self_assessment_on=factory.LazyFunction(
                lambda: timezone.localdate() - datetime.timedelta(days=90)
            ),
            self_assessment_summary="Engagements 1 à 8 évalués en équipe ; points faibles : engagement 4.",
            sampling_method="Tirage aléatoire de 2 000 allocataires ayant eu un contact dans les 12 derniers mois.",
            user_survey_closed_on=factory.LazyFunction(
                lambda: timezone.localdate() - datetime.timedelta(days=30)
            ),
            user_survey_score=82,
            agent_survey_closed_on=factory.LazyFunction(
                lambda: timezone.localdate() - datetime.timedelta(days=30)
            ),
            agent_survey_score=71,
            indicators_since=factory.LazyFunction(
                lambda: timezone.localdate() - datetime.timedelta(days=400)
            ),
            indicators_summary="Délai de réponse aux courriels ; taux de décroché téléphonique.",
        )


class ApplicationDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApplicationDocument

    application = factory.SubFactory(ApplicationFactory)
    piece = DocumentPiece.ORG_CHART
    file = factory.LazyFunction(lambda: ContentFile(PDF_BYTES, name="piece.pdf"))
    original_name = "piece.pdf"
    content_type = "application/pdf"
    size = len(PDF_BYTES)
    sha256 = "0" * 64


def attach_required_pieces(application):
    from candidates.enums import REQUIRED_PIECES

    for piece in REQUIRED_PIECES:
        ApplicationDocumentFactory(application=application, piece=piece)


class EligibilityRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EligibilityRequest

    requested_by = factory.SubFactory("tests.accounts.factories.UserFactory")
    service_name = factory.Sequence(lambda n: f"Maison de la justice et du droit n°{n}")
    siret = factory.Sequence(lambda n: _siret(n, "1302"))
    kind = LocalServiceKind.STATE_DECONCENTRATED
    proposed_category = "Maisons de la justice et du droit"
    justification = "Accueil du public pour l’accès au droit, 4 000 visites par an."
    status = EligibilityRequestStatus.SUBMITTED
