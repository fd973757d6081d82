"""The public registry (issue #8): search and filters, what is shown and hidden, constant queries, the cache."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from candidates.enums import LocalServiceKind
from decisions.enums import Tier
from decisions.models import Suspension, Withdrawal
from tests.candidates.factories import (
    ApplicationFactory,
    CentralServiceFactory,
    LocalServiceFactory,
    ServiceContractFactory,
    SiteFactory,
)
from tests.decisions.factories import DecisionFactory, LabelFactory, bulk_labels

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def _labelled(name, *, tier=Tier.ARGENT, decided_on=None, **service):
    local = LocalServiceFactory(name=name, **service)
    application = ApplicationFactory(
        contract=ServiceContractFactory(local_service=local),
        local_service=local,
        status="closed",
        outcome="labelled",
    )
    decision = DecisionFactory(application=application, tier=tier, decided_on=decided_on or TODAY)
    return LabelFactory(decision=decision)


def _page(client, **params):
    response = client.get(reverse("registre:list"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_search_by_name_or_city_and_filters(client):
    _labelled("CAF de Lyon", tier=Tier.OR, city="Lyon", departement="69")
    _labelled(
        "Mairie de Brest", tier=Tier.BRONZE, city="Brest", departement="29", kind=LocalServiceKind.COMMUNE
    )
    page = _page(client)
    assert "CAF de Lyon" in page and "Mairie de Brest" in page
    assert "Mairie de Brest" not in _page(client, q="lyon")  # by city, case-insensitive
    assert "CAF de Lyon" in _page(client, q="caf  lyon")  # every word must match
    assert "CAF de Lyon" not in _page(client, tier="bronze")
    assert "Mairie de Brest" not in _page(client, departement="69")
    assert "CAF de Lyon" not in _page(client, region="53")  # Bretagne
    assert "CAF de Lyon" not in _page(client, kind="commune")


def test_network_and_body_filters(client):
    central = CentralServiceFactory(name="Caisse nationale")
    in_network = _labelled("CAF du réseau", parent=central)
    alone = _labelled("Service isolé")
    page = _page(client, network=central.pk)
    assert "CAF du réseau" in page and "Service isolé" not in page
    page = _page(client, body=alone.certification_body_id)
    assert "Service isolé" in page and "CAF du réseau" not in page
    assert in_network.local_service.parent == central


def test_suspended_shown_as_such_withdrawn_and_expired_absent(client):
    suspended = _labelled("Service suspendu")
    Suspension.objects.create(
        label=suspended,
        reason="at_request",
        starts_on=TODAY,
        ends_on=TODAY + datetime.timedelta(days=30),
        decided_by=suspended.decision.decided_by,
    )
    withdrawn = _labelled("Service retiré")
    Withdrawal.objects.create(
        label=withdrawn,
        reason="trademark_breach",
        effective_on=TODAY,
        decided_by=withdrawn.decision.decided_by,
    )
    expiring = _labelled("Service en fin de cycle", decided_on=TODAY - datetime.timedelta(days=400))
    page = _page(client)
    assert "Service suspendu" in page and "Suspendu" in page
    assert "Service retiré" not in page
    assert "Service en fin de cycle" in page
    with time_machine.travel(expiring.ends_on, tick=False):
        assert "Service en fin de cycle" in _page(client)  # its last day
    with time_machine.travel(expiring.ends_on + datetime.timedelta(days=1), tick=False):
        assert "Service en fin de cycle" not in _page(client)  # expired the next day


@pytest.mark.parametrize("count", [3, 300])
def test_the_list_has_a_constant_number_of_queries(client, django_assert_num_queries, count):
    from decisions.models import Label

    for n in range(3):
        _labelled(f"Service {n:03d}")
    if count > 3:
        _bulk(count - 3)
    assert Label.objects.count() == count
    # count + page rows; the filter form's two lists (networks, bodies)
    with django_assert_num_queries(4):
        _page(client, tier="argent")
    with django_assert_num_queries(0):  # results and form cached: no query at all
        _page(client, tier="argent")


def _bulk(count):
    """`count` more labelled local services (one by the factories, the others in bulk)."""
    bulk_labels(_labelled("Gabarit"), count - 1, name="Masse")


def test_the_cache_is_invalidated_by_a_new_label(client):
    _labelled("Premier service")
    assert "Nouveau service" not in _page(client)
    _labelled("Nouveau service")
    assert "Nouveau service" in _page(client)


def test_bad_input_never_breaks_the_page(client):
    _labelled("Service")
    for params in ({"page": "abc"}, {"page": "99999"}, {"region": "zz"}, {"network": "x"}, {"q": "a" * 500}):
        response = client.get(reverse("registre:list"), params)
        assert response.status_code == 200


def test_the_service_page_shows_tier_sites_validity_body_and_verification(client):
    label = _labelled("CAF de Nantes", tier=Tier.OR)
    SiteFactory(local_service=label.local_service, name="Accueil Beaulieu")
    SiteFactory(local_service=label.local_service, name="Ancien site", is_active=False)
    from decisions.attestations import attestation_issue
    from decisions.signing import make_signing_key

    body = label.certification_body
    make_signing_key(siret=body.siret, name=body.name)
    attestation = attestation_issue(label=label, decision=label.decision)
    page = client.get(reverse("registre:service", args=[label.local_service.siret])).content.decode()
    assert "CAF de Nantes" in page and "Or" in page and "Accueil Beaulieu" in page
    assert "Ancien site" not in page
    assert body.name in page
    assert reverse("decisions:attestation_verify", args=[attestation.token]) in page


def test_a_service_without_a_public_label_has_no_page(client):
    withdrawn = _labelled("Service retiré")
    Withdrawal.objects.create(
        label=withdrawn,
        reason="trademark_breach",
        effective_on=TODAY,
        decided_by=withdrawn.decision.decided_by,
    )
    assert client.get(reverse("registre:service", args=[withdrawn.local_service.siret])).status_code == 404
    assert client.get(reverse("registre:service", args=["123"])).status_code == 404


def test_the_bodies_page_lists_habilitated_bodies_only(client):
    from tests.registry.factories import CertificationBodyFactory

    CertificationBodyFactory(name="Organisme habilité")
    CertificationBodyFactory(name="Organisme suspendu", habilitation_status="suspended")
    page = client.get(reverse("registre:bodies")).content.decode()
    assert "Organisme habilité" in page and "Organisme suspendu" not in page


def test_with_the_cache_turned_off_every_request_reads_the_database(
    client, django_assert_num_queries, settings
):
    _labelled("Service")
    _page(client)  # cached while the cache is on
    settings.REGISTRY_CACHE_SECONDS = 0
    for _ in range(2):
        with django_assert_num_queries(4):  # count, page; the form's two lists
            _page(client)


def test_pagination_keeps_the_valid_filters_only(client):
    bulk_labels(_labelled("Gabarit"), 60, name="Masse")
    page = _page(client, q="Masse", region="zz")
    assert 'href="?q=Masse&amp;page=2"' in page  # the invalid région is not carried along
    assert "Masse 0001" in page and "Gabarit" not in page


def test_the_list_is_in_name_order_and_a_renamed_service_moves(client):
    _labelled("Mairie de Brest")
    caf = _labelled("CAF de Lyon")
    bulk_labels(_labelled("Bibliothèque d’Albi"), 1, name="Douane")
    page = _page(client)
    assert page.index("Bibliothèque d’Albi") < page.index("CAF de Lyon") < page.index("Douane 0001")
    assert page.index("Douane 0001") < page.index(
        "Mairie de Brest"
    )  # bulk-created labels have their place too
    caf.local_service.name = "Urssaf de Lyon"
    caf.local_service.save()
    page = _page(client)
    assert page.index("Mairie de Brest") < page.index("Urssaf de Lyon")
    caf.refresh_from_db()
    assert caf.sort_name == "Urssaf de Lyon"
