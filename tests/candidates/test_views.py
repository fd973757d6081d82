import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from labelsp.accounts.enums import Role
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.candidates.factories import CentralServiceFactory, LocalServiceFactory, SiteFactory

pytestmark = pytest.mark.django_db


def _network(size):
    central = CentralServiceFactory()
    for service in LocalServiceFactory.create_batch(size, parent=central):
        SiteFactory(local_service=service, kind="principal")
        SiteFactory(local_service=service, kind="annex")
    user = UserFactory()
    MembershipFactory(user=user, role=Role.CENTRAL, organisation=central)
    return central, user


def _queries(client, url):
    client.get(url)  # warm up: the first request after login also writes the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in queries]


def _with_applications(central):
    """The network's campaign, and a file (with audit dates), a referent for every other local service."""
    from candidates.enums import ApplicationStatus
    from tests.candidates.factories import ApplicationFactory, ServiceContractFactory

    contract = ServiceContractFactory(central_service=central, local_service=None)
    campaign = ApplicationFactory(contract=contract, central_service=central, local_service=None)
    statuses = [ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED, ApplicationStatus.COMPLEMENTS_REQUESTED]
    for index, service in enumerate(central.local_services.order_by("pk")[::2]):
        ApplicationFactory(
            contract=contract,
            local_service=service,
            central_application=campaign,
            status=statuses[index % len(statuses)],
            complete=True,
        )
        MembershipFactory(role=Role.CANDIDATE, organisation=service)


def test_network_page_has_a_constant_number_of_queries(login):
    small, small_user = _network(3)
    large, large_user = _network(30)
    _with_applications(small)
    _with_applications(large)
    client = login(small_user)
    small_count = _queries(client, reverse("candidates:central_service_detail", args=[small.pk]))
    client = login(large_user)
    large_count = _queries(client, reverse("candidates:central_service_detail", args=[large.pk]))
    assert len(small_count) == len(large_count), "\n".join([*small_count, "---", *large_count])
    assert len(large_count) == 14  # the network's contract: one query


def test_network_page_filters(login):
    central, user = _network(0)
    LocalServiceFactory(parent=central, name="CAF du Rhône", city="Lyon", departement="69")
    LocalServiceFactory(
        parent=central, name="CAF de la Gironde", city="Bordeaux", departement="33", postal_code="33000"
    )
    client = login(user)
    url = reverse("candidates:central_service_detail", args=[central.pk])

    def names(**params):
        return [s.name for s in client.get(url, params).context["page_obj"]]

    assert names() == ["CAF de la Gironde", "CAF du Rhône"]
    assert names(q="bordeaux") == ["CAF de la Gironde"]
    assert names(departement="69") == ["CAF du Rhône"]
    assert names(departement="not-a-code") == ["CAF de la Gironde", "CAF du Rhône"]
    assert names(kind="commune") == []
    assert client.get(url, {"page": "abc"}).status_code == 200


def test_local_service_page_lists_active_sites(login):
    user = UserFactory(candidate=True)
    service = user.memberships.get().local_service
    SiteFactory(local_service=service, kind="principal", name="Hôtel de préfecture")
    SiteFactory(local_service=service, kind="annex", name="Ancienne annexe", is_active=False)
    html = login(user).get(reverse("candidates:local_service_detail", args=[service.pk])).content.decode()
    assert "Hôtel de préfecture" in html
    assert "Ancienne annexe" not in html


def test_region_is_derived_from_the_departement():
    service = LocalServiceFactory(departement="33", postal_code="33000", city="Bordeaux")
    assert service.region == "75"
    assert service.get_region_display() == "Nouvelle-Aquitaine"


def test_a_service_has_at_most_one_active_principal_site():
    service = LocalServiceFactory()
    SiteFactory(local_service=service, kind="principal")
    SiteFactory(local_service=service, kind="principal", is_active=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        SiteFactory(local_service=service, kind="principal")
