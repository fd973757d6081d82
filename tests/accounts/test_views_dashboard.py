import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from labelsp.accounts import services
from labelsp.accounts.enums import Role
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.candidates.factories import CentralServiceFactory, LocalServiceFactory, SiteFactory
from tests.registry.factories import CertificationBodyFactory

pytestmark = pytest.mark.django_db


def _dashboard(client):
    response = client.get(reverse("accounts:dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def test_without_membership_the_dashboard_explains_how_to_get_one(login):
    user = UserFactory()
    html = _dashboard(login(user))
    assert "n’est rattaché à aucune organisation" in html
    assert user.email in html


def test_candidate_without_sites_is_asked_to_declare_them(login):
    html = _dashboard(login(UserFactory(candidate=True)))
    assert "Déclarez vos sites" in html


def test_candidate_with_secondary_sites_only_is_asked_for_a_principal_site(login):
    user = UserFactory(candidate=True)
    SiteFactory(local_service=user.memberships.get().local_service, kind="secondary")
    html = _dashboard(login(user))
    assert "Déclarez vos sites" not in html
    assert "Désignez votre site principal" in html


def test_candidate_with_a_principal_site_sees_figures(login):
    user = UserFactory(candidate=True)
    service = user.memberships.get().local_service
    SiteFactory(local_service=service, kind="principal", agents_in_contact=40)
    SiteFactory(local_service=service, kind="annex", agents_in_contact=3)
    SiteFactory(local_service=service, kind="annex", agents_in_contact=99, is_active=False)
    response = login(user).get(reverse("accounts:dashboard"))
    assert "Désignez votre site principal" not in response.content.decode()
    assert response.context["board"].context["service"].site_count == 2
    assert response.context["board"].context["service"].agent_count == 43


def test_central_dashboard_counts_locals_without_a_referent(login):
    central = CentralServiceFactory()
    staffed, _unstaffed_1, _unstaffed_2 = LocalServiceFactory.create_batch(3, parent=central)
    MembershipFactory(role=Role.CANDIDATE, organisation=staffed)
    revoked = MembershipFactory(role=Role.CANDIDATE, organisation=_unstaffed_1)
    services.membership_revoke(membership=revoked)
    user = UserFactory()
    MembershipFactory(user=user, role=Role.CENTRAL, organisation=central)
    html = _dashboard(login(user))
    assert "2 services locaux n’ont pas encore de référent" in html


@pytest.mark.parametrize(
    ("days_left", "warned"),
    [(181, False), (180, True), (30, True)],
)
def test_manager_is_warned_six_months_before_the_habilitation_ends(login, days_left, warned):
    today = timezone.localdate()
    body = CertificationBodyFactory(
        habilitation_start=today - datetime.timedelta(days=1000),
        habilitation_end=today + datetime.timedelta(days=days_left),
    )
    user = UserFactory()
    MembershipFactory(user=user, role=Role.CB_MANAGER, organisation=body)
    MembershipFactory(role=Role.AUDITOR, organisation=body)
    html = _dashboard(login(user))
    assert ("Votre habilitation arrive à échéance" in html) is warned
    assert "Aucun auditeur rattaché" not in html


def test_manager_of_a_suspended_body_is_told_it_cannot_act(login):
    user = UserFactory()
    MembershipFactory(
        user=user,
        role=Role.CB_MANAGER,
        organisation=CertificationBodyFactory(habilitation_status="suspended"),
    )
    html = _dashboard(login(user))
    assert "Votre habilitation n’est pas active" in html
    assert "Aucun auditeur rattaché" in html


def test_ditp_sees_bodies_to_renew(login):
    today = timezone.localdate()
    ending = CertificationBodyFactory(
        name="Organisme Finissant",
        habilitation_start=today - datetime.timedelta(days=1700),
        habilitation_end=today + datetime.timedelta(days=60),
    )
    CertificationBodyFactory(name="Organisme Tranquille")
    html = _dashboard(login(UserFactory(ditp=True)))
    assert f"Habilitation de {ending.name} à renouveler" in html
    assert "Habilitation de Organisme Tranquille" not in html


@pytest.mark.parametrize("trait", ["auditor", "commission"])
def test_other_roles_have_an_explained_dashboard(login, trait):
    html = _dashboard(login(UserFactory(**{trait: True})))
    assert "Tableau de bord" in html
    assert {"auditor": "Aucun audit ne vous est affecté", "commission": "Chiffres du déploiement"}[
        trait
    ] in html


def test_switching_role_changes_the_dashboard_and_the_navigation(login):
    user = UserFactory()
    local = LocalServiceFactory(name="Préfecture de la Gironde")
    candidate = MembershipFactory(user=user, role=Role.CANDIDATE, organisation=local)
    commission = MembershipFactory(user=user, role=Role.COMMISSION)
    client = login(user)
    assert "Préfecture de la Gironde" in _dashboard(client)

    response = client.post(reverse("accounts:switch_membership", args=[commission.pk]))
    assert response.status_code == 302
    html = _dashboard(client)
    assert "Chiffres du déploiement" in html
    assert "Mon service" not in html

    client.post(reverse("accounts:switch_membership", args=[candidate.pk]))
    assert "Mon service" in _dashboard(client)


def test_a_revoked_membership_cannot_be_switched_to(login):
    user = UserFactory()
    MembershipFactory(user=user, role=Role.COMMISSION)
    old = MembershipFactory(user=user, role=Role.CANDIDATE)
    services.membership_revoke(membership=old)
    response = login(user).post(reverse("accounts:switch_membership", args=[old.pk]))
    assert response.status_code == 404


def test_memberships_page_lists_every_active_role(login):
    user = UserFactory()
    MembershipFactory(user=user, role=Role.COMMISSION)
    MembershipFactory(
        user=user, role=Role.CANDIDATE, organisation=LocalServiceFactory(name="Mairie de Villeurbanne")
    )
    html = login(user).get(reverse("accounts:memberships")).content.decode()
    assert "Commission nationale du label" in html
    assert "Mairie de Villeurbanne" in html
