"""Registering a service, its sites, its perimeter and its contract (candidates/views/registration.py)."""

import datetime
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from candidates.enums import LocalServiceKind, SiteKind
from candidates.forms.registration import SiteForm
from candidates.models import LocalService, ServiceContract, ServiceDomain, Site
from labelsp.accounts.enums import Role
from labelsp.accounts.models import Membership
from labelsp.accounts.services import SESSION_KEY
from labelsp.validators import complete_siret
from registry.enums import HabilitationStatus
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.candidates.factories import (
    CentralServiceFactory,
    EligibleCategoryFactory,
    LocalServiceFactory,
    ServiceContractFactory,
    SiteFactory,
)
from tests.registry.factories import CertificationBodyFactory

pytestmark = pytest.mark.django_db

SIRET = complete_siret("1309000000001")
PRINCIPAL_SITE = {
    "name": "Hôtel de préfecture",
    "kind": SiteKind.PRINCIPAL,
    "street": "18 rue de Bonnel",
    "postal_code": "69003",
    "city": "Lyon",
    "departement": "69",
    "agents_in_contact": "40",
}
SECONDARY_SITE = {
    "name": "Sous-préfecture de Villefranche",
    "kind": SiteKind.SECONDARY,
    "street": "Boulevard Burdeau",
    "postal_code": "69400",
    "city": "Villefranche-sur-Saône",
    "departement": "69",
    "agents_in_contact": "12",
}


def _registration(category, *, sites=(PRINCIPAL_SITE, SECONDARY_SITE), **overrides):
    data = {
        "category": category.pk,
        "name": "Préfecture du Rhône",
        "parent": "",
        "siret": SIRET,
        "street": "18 rue de Bonnel",
        "postal_code": "69003",
        "city": "Lyon",
        "departement": "69",
        "contact_name": "Camille Martin",
        "contact_email": "camille.martin@rhone.gouv.fr",
        "contact_phone": "04 72 61 60 60",
        "sites-TOTAL_FORMS": str(len(sites)),
        "sites-INITIAL_FORMS": "0",
        "sites-MIN_NUM_FORMS": "1",
        "sites-MAX_NUM_FORMS": "50",
    }
    for index, site in enumerate(sites):
        data.update({f"sites-{index}-{name}": value for name, value in site.items()})
    data.update(overrides)
    return data


def _error(response, field_id) -> str:
    """The error text shown next to the field whose id is `field_id` ('' when there is none)."""
    content = response.content.decode()
    match = re.search(rf'<p class="fr-error-text" id="{re.escape(field_id)}-error">(.*?)</p>', content, re.S)
    if match is None:
        return ""
    assert (
        f'aria-describedby="{field_id}-error"' in content or f'{field_id}-hint {field_id}-error"' in content
    )
    return html.unescape(match.group(1))


def _alerts(response) -> list[str]:
    content = response.content.decode()
    blocks = re.findall(r'<div class="fr-alert fr-alert--error[^"]*"[^>]*>(.*?)</div>', content, re.S)
    return [html.unescape(p) for block in blocks for p in re.findall(r"<p>(.*?)</p>", block, re.S)]


def _counts():
    return LocalService.objects.count(), Site.objects.count(), Membership.objects.count()


# --- Registration ------------------------------------------------------------------------------------------------


@pytest.fixture
def category():
    return EligibleCategoryFactory(name="Préfectures", kind=LocalServiceKind.STATE_DECONCENTRATED)


def test_registering_with_two_sites_creates_the_service_its_sites_and_the_active_membership(login, category):
    central = CentralServiceFactory(network_name="Réseau des préfectures")
    user = UserFactory(central=True)  # already acting for another organisation
    client = login(user)
    response = client.post(reverse("candidates:register"), _registration(category, parent=central.pk))

    service = LocalService.objects.get(siret=SIRET)
    assert response.status_code == 302
    assert response["Location"] == reverse("candidates:local_service_detail", args=[service.pk])
    assert (service.name, service.kind, service.category, service.parent) == (
        "Préfecture du Rhône",
        LocalServiceKind.STATE_DECONCENTRATED,
        category,
        central,
    )
    assert (service.region, service.contact_email) == ("84", "camille.martin@rhone.gouv.fr")
    assert sorted(service.sites.values_list("name", "kind", "agents_in_contact")) == [
        ("Hôtel de préfecture", SiteKind.PRINCIPAL, 40),
        ("Sous-préfecture de Villefranche", SiteKind.SECONDARY, 12),
    ]
    membership = Membership.objects.active().get(user=user, local_service=service)
    assert membership.role == Role.CANDIDATE
    assert client.session[SESSION_KEY] == membership.pk
    page = client.get(response["Location"])
    assert page.context["request"].membership == membership
    assert "Choisir un organisme de certification" not in page.content.decode()  # a network's local


def test_the_form_offers_the_active_categories_grouped_by_kind_and_the_eligibility_request(login, category):
    EligibleCategoryFactory(name="Mairies", kind=LocalServiceKind.COMMUNE)
    EligibleCategoryFactory(name="Catégorie retirée", kind=LocalServiceKind.COMMUNE, is_active=False)
    response = login(UserFactory()).get(reverse("candidates:register"))
    content = response.content.decode()
    assert response.status_code == 200
    groups = dict(re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', content, re.S))
    assert re.search(r'<option value="\d+">Mairies</option>', groups["Commune"])
    assert re.search(r'<option value="\d+">Préfectures</option>', groups["Service déconcentré de l’État"])
    assert "Mairies" not in groups["Service déconcentré de l’État"]
    assert "Catégorie retirée" not in content
    assert reverse("candidates:eligibility_create") in content
    assert "Déposez une demande d’éligibilité" in content


def test_an_invalid_site_row_saves_nothing_and_is_shown_next_to_its_field(login, category):
    before = _counts()
    wrong_site = {**SECONDARY_SITE, "departement": "33"}
    response = login(UserFactory()).post(
        reverse("candidates:register"), _registration(category, sites=(PRINCIPAL_SITE, wrong_site))
    )
    assert response.status_code == 200
    assert _counts() == before
    assert _error(response, "id_sites-1-postal_code") == (
        "Ce code postal ne correspond pas au département choisi : il doit commencer par 33."
    )
    assert _error(response, "id_sites-0-postal_code") == ""


def test_an_incomplete_site_row_is_refused(login, category):
    before = _counts()
    response = login(UserFactory()).post(
        reverse("candidates:register"),
        _registration(category, sites=(PRINCIPAL_SITE, {**SECONDARY_SITE, "agents_in_contact": "-1"})),
    )
    assert response.status_code == 200
    assert _counts() == before
    assert "supérieure ou égale à 0" in _error(response, "id_sites-1-agents_in_contact")


def test_a_registration_needs_at_least_one_site(login, category):
    before = _counts()
    response = login(UserFactory()).post(reverse("candidates:register"), _registration(category, sites=()))
    assert response.status_code == 200
    assert _counts() == before
    assert "Veuillez soumettre au moins 1 formulaire." in _alerts(response)


def test_a_registration_without_a_principal_site_is_refused(login, category):
    before = _counts()
    sites = ({**PRINCIPAL_SITE, "kind": SiteKind.ANNEX}, SECONDARY_SITE)
    response = login(UserFactory()).post(reverse("candidates:register"), _registration(category, sites=sites))
    assert response.status_code == 200
    assert _counts() == before
    assert "Un service a exactement un site principal." in _alerts(response)


def test_a_registration_with_two_principal_sites_is_refused_on_the_second(login, category):
    before = _counts()
    sites = (PRINCIPAL_SITE, {**SECONDARY_SITE, "kind": SiteKind.PRINCIPAL})
    response = login(UserFactory()).post(reverse("candidates:register"), _registration(category, sites=sites))
    assert response.status_code == 200
    assert _counts() == before
    assert _error(response, "id_sites-1-kind") == "Ce service a déjà un site principal."
    assert _error(response, "id_sites-0-kind") == ""


def test_a_siret_already_registered_is_refused_next_to_the_field(login, category):
    LocalServiceFactory(siret=SIRET)
    before = _counts()
    response = login(UserFactory()).post(reverse("candidates:register"), _registration(category))
    assert response.status_code == 200
    assert _counts() == before
    assert _error(response, "id_siret") == (
        "Un service est déjà inscrit avec ce SIRET : demandez à son référent de vous rattacher."
    )


@pytest.mark.parametrize(
    ("siret", "error"),
    [
        (
            SIRET[:-1] + str((int(SIRET[-1]) + 1) % 10),
            "Ce SIRET n’est pas valide (clé de contrôle incorrecte)",
        ),
        (SIRET[:-1], "Le SIRET compte exactement 14 chiffres, sans espace."),
    ],
)
def test_an_invalid_siret_is_refused_with_the_french_message(login, category, siret, error):
    response = login(UserFactory()).post(reverse("candidates:register"), _registration(category, siret=siret))
    assert response.status_code == 200
    assert _error(response, "id_siret").startswith(error)
    assert not LocalService.objects.exists()


def test_a_siret_typed_in_groups_of_digits_is_accepted(login, category):
    spaced = f"{SIRET[:3]} {SIRET[3:6]} {SIRET[6:9]} {SIRET[9:]}"
    response = login(UserFactory()).post(
        reverse("candidates:register"), _registration(category, siret=spaced)
    )
    assert response.status_code == 302
    assert LocalService.objects.get().siret == SIRET


def test_a_category_withdrawn_from_the_list_is_refused(login, category):
    category.is_active = False
    category.save()
    before = _counts()
    response = login(UserFactory()).post(reverse("candidates:register"), _registration(category))
    assert response.status_code == 200
    assert _counts() == before
    assert (
        _error(response, "id_category") == "Cette catégorie n’est plus sur la liste des services éligibles."
    )


def test_the_service_address_is_checked_against_its_departement(login, category):
    response = login(UserFactory()).post(
        reverse("candidates:register"), _registration(category, postal_code="38000")
    )
    assert response.status_code == 200
    assert _error(response, "id_postal_code") == (
        "Ce code postal ne correspond pas au département choisi : il doit commencer par 69."
    )
    assert not LocalService.objects.exists()


@pytest.mark.parametrize(
    ("departement", "postal_code", "error"),
    [
        ("69", "69001", None),
        ("69", "69999", None),
        ("69", "68999", "il doit commencer par 69"),
        ("01", "01000", None),
        ("01", "1000", "Le code postal compte exactement 5 chiffres."),
        ("01", "010000", "Le code postal compte exactement 5 chiffres."),
        ("01", "0100A", "Le code postal compte exactement 5 chiffres."),
        ("2A", "20000", None),
        ("2B", "20200", None),
        ("2A", "21000", "il doit commencer par 20"),
        ("971", "97100", None),
        ("971", "97200", "il doit commencer par 971"),
        ("976", "97600", None),
    ],
)
def test_a_postal_code_starts_with_the_digits_of_its_departement(departement, postal_code, error):
    form = SiteForm({**PRINCIPAL_SITE, "departement": departement, "postal_code": postal_code})
    if error is None:
        assert form.is_valid(), form.errors
    else:
        assert not form.is_valid()
        assert error in form.errors["postal_code"][0]


# --- The service page --------------------------------------------------------------------------------------------


def _staff(service):
    user = UserFactory()
    MembershipFactory(user=user, role=Role.CANDIDATE, organisation=service)
    return user


def _queries(client, url):
    client.get(url)  # warm up: the first request after login also writes the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in queries]


@pytest.mark.parametrize("with_contract", [False, True])
def test_the_service_page_has_a_constant_number_of_queries(login, with_contract):
    counts = []
    for size in (2, 20):
        service = LocalServiceFactory(kind=LocalServiceKind.COMMUNE, in_network=True)
        SiteFactory(local_service=service, kind=SiteKind.PRINCIPAL)
        SiteFactory.create_batch(size - 1, local_service=service)
        ServiceDomain.objects.create(local_service=service, domain="civil_status")
        if with_contract:
            ServiceContractFactory(local_service=None, central_service=service.parent)
        client = login(_staff(service))
        counts.append(_queries(client, reverse("candidates:local_service_detail", args=[service.pk])))
    assert len(counts[0]) == len(counts[1]), "\n".join([*counts[0], "---", *counts[1]])
    assert len(counts[1]) == (11 if with_contract else 10)


def test_the_staff_manage_the_sites_and_the_principal_one_cannot_be_retired(login):
    service = LocalServiceFactory()
    principal = SiteFactory(local_service=service, kind=SiteKind.PRINCIPAL, name="Siège")
    annex = SiteFactory(local_service=service, kind=SiteKind.ANNEX, name="Antenne de quartier")
    SiteFactory(local_service=service, name="Ancien site", is_active=False)
    content = login(_staff(service)).get(reverse("candidates:local_service_detail", args=[service.pk]))
    content = content.content.decode()
    assert "Ancien site" not in content
    assert content.index("Siège") < content.index("Antenne de quartier")  # the principal site first
    assert reverse("candidates:site_edit", args=[principal.pk]) in content
    assert reverse("candidates:site_edit", args=[annex.pk]) in content
    assert reverse("candidates:site_deactivate", args=[annex.pk]) in content
    assert reverse("candidates:site_deactivate", args=[principal.pk]) not in content
    assert "Le site principal ne peut pas être retiré : désignez d’abord un autre site principal." in content
    assert reverse("candidates:site_add", args=[service.pk]) in content


@pytest.mark.parametrize("reader", ["central", "ditp", "ditp_superuser"])
def test_the_central_service_and_the_ditp_read_the_page_only(login, reader):
    service = LocalServiceFactory(in_network=True)
    site = SiteFactory(local_service=service, kind=SiteKind.SECONDARY)
    if reader == "central":
        user = UserFactory()
        MembershipFactory(user=user, role=Role.CENTRAL, organisation=service.parent)
    else:
        # The DITP's administrators are superusers: has_perm() would say yes to everything.
        user = UserFactory(
            ditp=True, is_superuser=reader == "ditp_superuser", is_staff=reader == "ditp_superuser"
        )
    client = login(user)
    response = client.get(reverse("candidates:local_service_detail", args=[service.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert site.name in content
    for name, pk in [("site_edit", site.pk), ("site_deactivate", site.pk), ("site_add", service.pk)]:
        assert reverse(f"candidates:{name}", args=[pk]) not in content
        assert client.get(reverse(f"candidates:{name}", args=[pk])).status_code in (403, 405)
    assert client.post(reverse("candidates:site_deactivate", args=[site.pk])).status_code == 403
    site.refresh_from_db()
    assert site.is_active


def test_an_independent_service_without_contract_is_invited_to_choose_a_body(login):
    service = LocalServiceFactory()
    content = login(_staff(service)).get(reverse("candidates:local_service_detail", args=[service.pk]))
    content = content.content.decode()
    assert "Choisir un organisme de certification" in content
    assert reverse("candidates:contract_create") in content
    assert "Le contrat est porté par votre service central" not in content


def test_the_page_shows_the_contract_covering_today(login):
    service = LocalServiceFactory()
    body = CertificationBodyFactory(name="Qualicert Services")
    start = timezone.localdate() - datetime.timedelta(days=10)
    ServiceContractFactory(local_service=service, certification_body=body, cycle_start=start)
    content = login(_staff(service)).get(reverse("candidates:local_service_detail", args=[service.pk]))
    content = content.content.decode()
    assert "Qualicert Services" in content
    assert "Choisir un organisme de certification" not in content


def test_a_local_of_a_network_is_covered_by_its_central_service(login):
    central = CentralServiceFactory(name="Caisse nationale des allocations familiales")
    service = LocalServiceFactory(parent=central)
    ServiceContractFactory(
        local_service=None, central_service=central, certification_body=CertificationBodyFactory(name="Afnor")
    )
    content = login(_staff(service)).get(reverse("candidates:local_service_detail", args=[service.pk]))
    content = content.content.decode()
    assert (
        "Le contrat est porté par votre service central (Caisse nationale des allocations familiales)."
        in content
    )
    assert "Afnor" in content
    assert "Choisir un organisme de certification" not in content


# --- Sites -------------------------------------------------------------------------------------------------------


@pytest.fixture
def service():
    service = LocalServiceFactory()
    SiteFactory(local_service=service, kind=SiteKind.PRINCIPAL, name="Siège")
    return service


def test_the_staff_add_a_site(login, service):
    client = login(_staff(service))
    assert client.get(reverse("candidates:site_add", args=[service.pk])).status_code == 200
    response = client.post(reverse("candidates:site_add", args=[service.pk]), SECONDARY_SITE)
    assert response.status_code == 302
    assert response["Location"] == reverse("candidates:local_service_detail", args=[service.pk])
    site = service.sites.get(name=SECONDARY_SITE["name"])
    assert (site.kind, site.agents_in_contact, site.region) == (SiteKind.SECONDARY, 12, "84")


def test_a_second_principal_site_is_refused_on_its_kind(login, service):
    response = login(_staff(service)).post(reverse("candidates:site_add", args=[service.pk]), PRINCIPAL_SITE)
    assert response.status_code == 200
    assert _error(response, "id_kind") == "Ce service a déjà un site principal."
    assert service.sites.count() == 1


def test_the_staff_edit_a_site(login, service):
    annex = SiteFactory(local_service=service, kind=SiteKind.ANNEX)
    client = login(_staff(service))
    page = client.get(reverse("candidates:site_edit", args=[annex.pk]))
    assert page.context["form"]["name"].value() == annex.name
    response = client.post(
        reverse("candidates:site_edit", args=[annex.pk]), {**SECONDARY_SITE, "name": "Antenne rénovée"}
    )
    assert response.status_code == 302
    annex.refresh_from_db()
    assert (annex.name, annex.kind, annex.postal_code) == ("Antenne rénovée", SiteKind.SECONDARY, "69400")


def test_making_a_site_principal_demotes_the_former_principal(login, service):
    former = service.sites.get(kind=SiteKind.PRINCIPAL, is_active=True)
    annex = SiteFactory(local_service=service, kind=SiteKind.ANNEX, name="Antenne")
    client = login(_staff(service))
    response = client.post(
        reverse("candidates:site_edit", args=[annex.pk]), {**SECONDARY_SITE, "kind": SiteKind.PRINCIPAL}
    )
    assert response.status_code == 302
    annex.refresh_from_db()
    former.refresh_from_db()
    assert (annex.kind, former.kind) == (SiteKind.PRINCIPAL, SiteKind.SECONDARY)
    # The principal site is never demoted on its own: the service would have none.
    response = client.post(
        reverse("candidates:site_edit", args=[annex.pk]), {**SECONDARY_SITE, "kind": SiteKind.SECONDARY}
    )
    assert response.status_code == 200
    assert "exactement un site principal" in _error(response, "id_kind")
    annex.refresh_from_db()
    assert annex.kind == SiteKind.PRINCIPAL


def test_the_staff_retire_a_secondary_site(login, service):
    annex = SiteFactory(local_service=service, kind=SiteKind.ANNEX)
    client = login(_staff(service))
    response = client.post(reverse("candidates:site_deactivate", args=[annex.pk]))
    assert response.status_code == 302
    annex.refresh_from_db()
    assert not annex.is_active
    # A retired site is kept, but no longer edited nor retired again.
    assert client.get(reverse("candidates:site_edit", args=[annex.pk])).status_code == 404
    assert client.post(reverse("candidates:site_deactivate", args=[annex.pk])).status_code == 404


def test_the_principal_site_cannot_be_retired(login, service):
    principal = service.sites.get()
    response = login(_staff(service)).post(
        reverse("candidates:site_deactivate", args=[principal.pk]), follow=True
    )
    assert response.status_code == 200
    assert "Le site principal ne peut pas être retiré : désignez d’abord un autre site principal." in (
        response.content.decode()
    )
    principal.refresh_from_db()
    assert principal.is_active


def test_a_site_of_another_service_is_not_found(login, service):
    other = SiteFactory(kind=SiteKind.SECONDARY)
    client = login(_staff(service))
    assert client.get(reverse("candidates:site_edit", args=[other.pk])).status_code == 404
    assert client.post(reverse("candidates:site_deactivate", args=[other.pk])).status_code == 404
    assert client.get(reverse("candidates:site_add", args=[other.local_service.pk])).status_code == 404


# --- Perimeter ---------------------------------------------------------------------------------------------------


def _authority(kind):
    service = LocalServiceFactory(kind=kind)
    return service, _staff(service)


def test_a_commune_perimeter_without_civil_status_is_refused(login):
    service, user = _authority(LocalServiceKind.COMMUNE)
    response = login(user).post(
        reverse("candidates:perimeter_edit", args=[service.pk]),
        {"domains": ["general_reception", "titles", "population_services"]},
    )
    assert response.status_code == 200
    assert _alerts(response) == ["Le socle doit comprendre : État civil."]
    assert 'aria-describedby="id_domains-error"' in response.content.decode()
    assert not ServiceDomain.objects.exists()


def test_an_epci_perimeter_needs_one_public_action_domain(login):
    service, user = _authority(LocalServiceKind.EPCI)
    response = login(user).post(
        reverse("candidates:perimeter_edit", args=[service.pk]), {"domains": ["general_reception"]}
    )
    assert response.status_code == 200
    assert _alerts(response) == [
        "Le socle doit comprendre au moins un domaine d’action publique parmi : Action sociale, Petite enfance, "
        "Urbanisme, Services urbains : eau, assainissement, déchets et environnement."
    ]
    assert not ServiceDomain.objects.exists()


def test_each_missing_part_of_the_socle_is_its_own_sentence(login):
    service, user = _authority(LocalServiceKind.EPCI)
    response = login(user).post(reverse("candidates:perimeter_edit", args=[service.pk]), {})
    assert _alerts(response) == [
        "Le socle doit comprendre : Accueil général, tous canaux de contact confondus.",
        "Le socle doit comprendre au moins un domaine d’action publique parmi : Action sociale, Petite enfance, "
        "Urbanisme, Services urbains : eau, assainissement, déchets et environnement.",
    ]


def test_a_valid_perimeter_is_saved_and_shown_on_the_service_page(login):
    service, user = _authority(LocalServiceKind.EPCI)
    client = login(user)
    page = client.get(reverse("candidates:perimeter_edit", args=[service.pk]))
    groups = [(g["title"], [o["code"] for o in g["options"]]) for g in page.context["form"].domain_groups()]
    assert groups == [
        ("Socle obligatoire", ["general_reception"]),
        ("Au moins un domaine parmi", ["social_action", "early_childhood", "urbanism", "urban_services"]),
        ("Domaines optionnels", ["other"]),
    ]
    response = client.post(
        reverse("candidates:perimeter_edit", args=[service.pk]),
        {"domains": ["general_reception", "urbanism", "other"], "other_detail": "Office de tourisme"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("candidates:local_service_detail", args=[service.pk])
    assert dict(service.domains.filter(is_active=True).values_list("domain", "detail")) == {
        "general_reception": "",
        "urbanism": "",
        "other": "Office de tourisme",
    }
    content = client.get(response["Location"]).content.decode()
    assert "Urbanisme" in content
    assert "Office de tourisme" in content
    assert reverse("candidates:perimeter_edit", args=[service.pk]) in content
    # The form is pre-checked with the current perimeter.
    content = client.get(reverse("candidates:perimeter_edit", args=[service.pk])).content.decode()
    assert re.search(r'value="urbanism" id="id_domains-urbanism" checked', content)
    assert not re.search(r'value="social_action" id="id_domains-social_action" checked', content)
    assert 'value="Office de tourisme"' in content


def test_the_other_domain_needs_a_detail(login):
    service, user = _authority(LocalServiceKind.EPCI)
    response = login(user).post(
        reverse("candidates:perimeter_edit", args=[service.pk]),
        {"domains": ["general_reception", "urbanism", "other"], "other_detail": ""},
    )
    assert response.status_code == 200
    assert _error(response, "id_other_detail") == "Précisez le service que vous ajoutez au périmètre."
    assert not ServiceDomain.objects.exists()


def test_a_domain_not_offered_to_the_kind_is_refused(login):
    service, user = _authority(LocalServiceKind.EPCI)
    response = login(user).post(
        reverse("candidates:perimeter_edit", args=[service.pk]),
        {"domains": ["general_reception", "urbanism", "civil_status"]},
    )
    assert response.status_code == 200
    assert _alerts(response) == ["Le domaine « civil_status » n’est pas proposé à votre collectivité."]
    assert not ServiceDomain.objects.exists()


def test_the_perimeter_page_does_not_exist_for_a_prefecture(login):
    service = LocalServiceFactory(kind=LocalServiceKind.STATE_DECONCENTRATED)
    client = login(_staff(service))
    assert client.get(reverse("candidates:perimeter_edit", args=[service.pk])).status_code == 404
    assert client.post(reverse("candidates:perimeter_edit", args=[service.pk]), {}).status_code == 404
    content = client.get(reverse("candidates:local_service_detail", args=[service.pk])).content.decode()
    assert "Périmètre de labellisation" not in content


# --- Contract ----------------------------------------------------------------------------------------------------


def _contract(body, **overrides):
    today = timezone.localdate()
    return {
        "certification_body": body.pk,
        "signed_on": today.isoformat(),
        "cycle_start": (today + datetime.timedelta(days=30)).isoformat(),
        "unit_count": "2",
        **overrides,
    }


@pytest.fixture
def independent():
    service = LocalServiceFactory()
    SiteFactory(local_service=service, kind=SiteKind.PRINCIPAL)
    SiteFactory(local_service=service, kind=SiteKind.SECONDARY)
    SiteFactory(local_service=service, kind=SiteKind.ANNEX, is_active=False)
    return service


def test_only_habilitated_bodies_are_offered(login, independent):
    habilitated = CertificationBodyFactory(name="Habilité")
    CertificationBodyFactory(name="Suspendu", habilitation_status=HabilitationStatus.SUSPENDED)
    CertificationBodyFactory(
        name="Expiré",
        habilitation_start=timezone.localdate() - datetime.timedelta(days=2000),
        habilitation_end=timezone.localdate() - datetime.timedelta(days=1),
    )
    response = login(_staff(independent)).get(reverse("candidates:contract_create"))
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.fields["certification_body"].queryset) == [habilitated]
    assert form.fields["unit_count"].label == "Nombre de sites"
    assert form["unit_count"].value() == 2  # the active sites
    content = response.content.decode()
    assert "Suspendu" not in content and "Expiré" not in content


def test_a_suspended_body_posted_anyway_is_refused(login, independent):
    suspended = CertificationBodyFactory(habilitation_status=HabilitationStatus.SUSPENDED)
    response = login(_staff(independent)).post(reverse("candidates:contract_create"), _contract(suspended))
    assert response.status_code == 200
    assert (
        _error(response, "id_certification_body") == "Cet organisme n’est pas habilité par la DITP à ce jour."
    )
    assert not ServiceContract.objects.exists()


def test_a_future_signature_date_is_refused(login, independent):
    body = CertificationBodyFactory()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = login(_staff(independent)).post(
        reverse("candidates:contract_create"), _contract(body, signed_on=tomorrow.isoformat())
    )
    assert response.status_code == 200
    assert _error(response, "id_signed_on") == (
        "Le contrat doit être signé : sa date de signature ne peut pas être future."
    )
    assert not ServiceContract.objects.exists()


def test_an_independent_service_records_its_contract_signed_today(login, independent):
    body = CertificationBodyFactory(name="Qualicert Services")
    client = login(_staff(independent))
    response = client.post(reverse("candidates:contract_create"), _contract(body))
    assert response.status_code == 302
    assert response["Location"] == reverse("candidates:local_service_detail", args=[independent.pk])
    contract = ServiceContract.objects.get()
    assert (contract.local_service, contract.central_service, contract.certification_body) == (
        independent,
        None,
        body,
    )
    assert contract.signed_on == timezone.localdate()
    assert contract.cycle_end == contract.cycle_start.replace(year=contract.cycle_start.year + 3) - (
        datetime.timedelta(days=1)
    )
    page = client.get(reverse("candidates:contract_create")).content.decode()
    assert "Qualicert Services" in page and "À venir" in page


def test_a_local_of_a_network_is_told_its_central_service_chooses(login):
    central = CentralServiceFactory(name="Caisse nationale des allocations familiales")
    service = LocalServiceFactory(parent=central)
    client = login(_staff(service))
    response = client.get(reverse("candidates:contract_create"))
    assert response.status_code == 200
    assert response.context["form"] is None
    content = response.content.decode()
    assert "Votre service central choisit l’organisme de certification" in content
    assert "Caisse nationale des allocations familiales" in content
    assert 'name="certification_body"' not in content
    response = client.post(reverse("candidates:contract_create"), _contract(CertificationBodyFactory()))
    assert response.status_code == 200
    assert not ServiceContract.objects.exists()


def test_a_central_service_records_the_contract_of_its_network(login):
    central = CentralServiceFactory()
    LocalServiceFactory.create_batch(3, parent=central)
    user = UserFactory()
    MembershipFactory(user=user, role=Role.CENTRAL, organisation=central)
    body = CertificationBodyFactory()
    client = login(user)
    form = client.get(reverse("candidates:contract_create")).context["form"]
    assert form.fields["unit_count"].label == "Nombre de services locaux"
    assert form["unit_count"].value() == 3
    response = client.post(reverse("candidates:contract_create"), _contract(body, unit_count="3"))
    assert response.status_code == 302
    contract = ServiceContract.objects.get()
    assert (contract.central_service, contract.local_service, contract.unit_count) == (central, None, 3)
    assert contract.recorded_by == user


def test_the_contract_is_recorded_for_the_active_membership(login, independent):
    """A person on two services acts for the one they chose."""
    other = LocalServiceFactory()
    user = _staff(independent)
    MembershipFactory(user=user, role=Role.CANDIDATE, organisation=other)
    client = login(user)
    client.post(reverse("accounts:switch_membership", args=[user.memberships.get(local_service=other).pk]))
    response = client.post(reverse("candidates:contract_create"), _contract(CertificationBodyFactory()))
    assert response.status_code == 302
    assert ServiceContract.objects.get().local_service == other
