"""A service that says it belongs to a network enters it only when the central service confirms (§1.4.1)."""

import datetime

import pytest
from django.urls import reverse

from candidates import services
from candidates.enums import ApplicationKind
from candidates.models import LocalService
from labelsp.accounts.enums import Role
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.candidates.factories import CentralServiceFactory, LocalServiceFactory, ServiceContractFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def network():
    central = CentralServiceFactory(network_name="CAF")
    contract = ServiceContractFactory(central_service=central, local_service=None)
    staff = UserFactory()
    MembershipFactory(user=staff, role=Role.CENTRAL, organisation=central)
    return central, contract, staff


def _self_declared(central):
    service = LocalServiceFactory(parent=central, parent_confirmed_at=None, name="CAF de la Somme")
    candidate = UserFactory()
    MembershipFactory(user=candidate, role=Role.CANDIDATE, organisation=service)
    return service, candidate


def test_an_unconfirmed_local_has_no_contract_and_cannot_open_a_file(network):
    central, _contract, _staff = network
    service, candidate = _self_declared(central)
    assert services.effective_contract(service, on=datetime.date.today()) is None
    with pytest.raises(services.ValidationError, match="attend la confirmation"):
        services.application_create(user=candidate, candidate=service, kind=ApplicationKind.INITIAL)


def test_the_central_service_confirms_then_the_network_contract_applies(network, login):
    central, contract, staff = network
    service, candidate = _self_declared(central)
    client = login(staff)
    page = client.get(reverse("candidates:central_service_detail", args=[central.pk])).content.decode()
    assert "Rattachements à confirmer" in page and "CAF de la Somme" in page
    response = client.post(reverse("candidates:network_attachment", args=[service.pk]), {"action": "confirm"})
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.parent_confirmed_at is not None
    application = services.application_create(user=candidate, candidate=service, kind=ApplicationKind.INITIAL)
    assert application.contract == contract


def test_a_refusal_needs_a_reason_and_makes_the_service_independent(
    network, login, mailoutbox, django_capture_on_commit_callbacks
):
    central, _contract, staff = network
    service, candidate = _self_declared(central)
    client = login(staff)
    url = reverse("candidates:network_attachment", args=[service.pk])
    response = client.post(url, {"action": "refuse", "reason": " "}, follow=True)
    assert "Indiquez le motif" in response.content.decode()
    assert LocalService.objects.get(pk=service.pk).parent == central
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "refuse", "reason": "Aucune CAF de ce nom dans notre réseau."})
    service.refresh_from_db()
    assert service.parent is None
    assert [m.to for m in mailoutbox] == [[candidate.email]]
    assert "Aucune CAF de ce nom" in mailoutbox[0].body


def test_another_networks_staff_cannot_confirm(network, login):
    central, _contract, _staff = network
    service, _candidate = _self_declared(central)
    stranger = UserFactory()
    MembershipFactory(user=stranger, role=Role.CENTRAL, organisation=CentralServiceFactory())
    response = login(stranger).post(
        reverse("candidates:network_attachment", args=[service.pk]), {"action": "confirm"}
    )
    assert response.status_code == 404
    assert LocalService.objects.get(pk=service.pk).parent_confirmed_at is None


def test_registering_in_a_network_asks_its_central_service(
    network, django_capture_on_commit_callbacks, mailoutbox
):
    from labelsp.validators import complete_siret
    from tests.candidates.factories import EligibleCategoryFactory

    central, _contract, staff = network
    site = {
        "name": "Accueil d’Amiens",
        "kind": "principal",
        "street": "2 rue Lamartine",
        "postal_code": "80000",
        "city": "Amiens",
        "departement": "80",
        "agents_in_contact": 20,
    }
    with django_capture_on_commit_callbacks(execute=True):
        service = services.service_register(
            user=UserFactory(),
            category=EligibleCategoryFactory(kind="social_security"),
            parent=central,
            sites=[site],
            name="CAF de la Somme",
            siret=complete_siret("5347011290001"),
            street="2 rue Lamartine",
            postal_code="80000",
            city="Amiens",
            departement="80",
        )
    assert service.parent == central and service.parent_confirmed_at is None
    assert [m.to for m in mailoutbox] == [[staff.email]]
    assert "CAF de la Somme demande à rejoindre votre réseau" in mailoutbox[0].subject
