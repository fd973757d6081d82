import factory

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
