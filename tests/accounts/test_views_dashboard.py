import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from candidates import rules
from candidates.enums import ApplicationStatus, EligibilityRequestStatus
from labelsp.accounts import services
from labelsp.accounts.enums import Role
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.candidates.factories import (
    ApplicationFactory,
    CentralServiceFactory,
    EligibilityRequestFactory,
    LocalServiceFactory,
    ServiceContractFactory,
    SiteFactory,
)
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


# --- Next actions on the application file (§3.2, §3.5) ------------------------------------------------------------

S = ApplicationStatus


def _local_candidate(**service_fields):
    user = UserFactory()
    service = LocalServiceFactory(**service_fields)
    MembershipFactory(user=user, role=Role.CANDIDATE, organisation=service)
    SiteFactory(local_service=service, kind="principal")
    return user, service


def test_independent_local_without_contract_is_asked_to_choose_a_body(login):
    user, _service = _local_candidate()
    html = _dashboard(login(user))
    assert "Choisissez votre organisme de certification" in html
    assert reverse("candidates:contract_create") in html
    assert "Ouvrez votre dossier de candidature" not in html


def test_a_terminated_contract_no_longer_counts(login):
    user, service = _local_candidate()
    ServiceContractFactory(local_service=service, terminated_on=timezone.localdate())
    assert "Choisissez votre organisme de certification" in _dashboard(login(user))


def test_network_local_waits_for_its_central_services_contract(login):
    central = CentralServiceFactory()
    user, _service = _local_candidate(parent=central)
    html = _dashboard(login(user))
    assert "Votre service central n’a pas encore enregistré de contrat" in html
    assert "Choisissez votre organisme de certification" not in html
    ServiceContractFactory(central_service=central, local_service=None)
    html = _dashboard(login(user))
    assert "Votre service central n’a pas encore enregistré de contrat" not in html
    assert "Ouvrez votre dossier de candidature" in html


def test_local_with_a_contract_and_no_open_file_is_asked_to_open_one(login):
    user, service = _local_candidate()
    ServiceContractFactory(local_service=service)
    ApplicationFactory(
        local_service=service, contract=service.contracts.get(), status=S.CLOSED, outcome="withdrawn"
    )
    html = _dashboard(login(user))
    assert "Ouvrez votre dossier de candidature" in html
    assert reverse("candidates:application_create") in html
    assert "Choisissez votre organisme de certification" not in html


def test_draft_with_audit_dates_shows_the_last_submission_date(login):
    user, service = _local_candidate()
    contract = ServiceContractFactory(local_service=service)
    audit = timezone.localdate() + datetime.timedelta(days=70)
    application = ApplicationFactory(contract=contract, status=S.DRAFT, audit_start=audit, audit_end=audit)
    html = _dashboard(login(user))
    assert "Complétez et déposez votre dossier" in html
    last_day = date_format(rules.latest_submission_date(audit), "j F Y")
    assert f"au plus tard le {last_day}" in html
    assert reverse("candidates:application_detail", args=[application.pk]) in html
    assert "Ouvrez votre dossier de candidature" not in html


def test_draft_without_audit_dates_asks_for_them(login):
    user, service = _local_candidate()
    ApplicationFactory(contract=ServiceContractFactory(local_service=service), status=S.DRAFT)
    html = _dashboard(login(user))
    assert "Complétez et déposez votre dossier" in html
    assert "au plus tard le" not in html
    assert "Proposez vos dates d’audit" in html


@pytest.mark.parametrize(
    ("status", "title", "others"),
    [
        (S.COMPLEMENTS_REQUESTED, "L’organisme demande des compléments", "Dossier en cours d’examen"),
        (S.SUBMITTED, "Dossier en cours d’examen", "L’organisme demande des compléments"),
        (S.RESUBMITTED, "Dossier en cours d’examen", "Dossier recevable"),
        (S.ACKNOWLEDGED, "Dossier recevable", "Dossier en cours d’examen"),
    ],
)
def test_the_files_state_gives_the_next_action(login, status, title, others):
    user, service = _local_candidate()
    ApplicationFactory(contract=ServiceContractFactory(local_service=service), status=status)
    response = login(user).get(reverse("accounts:dashboard"))
    titles = [action.title for action in response.context["board"].actions]
    assert title in titles
    assert others not in titles
    assert "Complétez et déposez votre dossier" not in titles
    if status == S.COMPLEMENTS_REQUESTED:
        assert next(a for a in response.context["board"].actions if a.title == title).level == "warning"


def _central_user(central):
    user = UserFactory()
    MembershipFactory(user=user, role=Role.CENTRAL, organisation=central)
    return user


def test_central_without_contract_is_asked_to_choose_a_body(login):
    html = _dashboard(login(_central_user(CentralServiceFactory())))
    assert "Choisissez votre organisme de certification" in html
    assert "Votre service central n’a pas encore enregistré de contrat" not in html


def test_central_sees_its_campaign_and_its_networks_files_by_status(login):
    central = CentralServiceFactory()
    contract = ServiceContractFactory(central_service=central, local_service=None)
    audit = timezone.localdate() + datetime.timedelta(days=70)
    campaign = ApplicationFactory(
        contract=contract, central_service=central, local_service=None, audit_start=audit, audit_end=audit
    )
    for status in (S.SUBMITTED, S.SUBMITTED, S.ACKNOWLEDGED):
        ApplicationFactory(
            contract=contract,
            local_service=LocalServiceFactory(parent=central),
            central_application=campaign,
            status=status,
        )
    ApplicationFactory(status=S.SUBMITTED)  # another network's file
    response = login(_central_user(central)).get(reverse("accounts:dashboard"))
    html = response.content.decode()
    assert "Complétez et déposez votre dossier" in html
    assert date_format(rules.latest_submission_date(audit), "j F Y") in html
    assert response.context["board"].context["network_files"] == [("Déposé", 2), ("Recevable", 1)]
    assert "Dossiers des services locaux du réseau" in html


def test_central_with_a_contract_and_no_campaign_is_asked_to_open_its_file(login):
    central = CentralServiceFactory()
    ServiceContractFactory(central_service=central, local_service=None)
    html = _dashboard(login(_central_user(central)))
    assert "Ouvrez votre dossier de candidature" in html


def test_manager_sees_how_many_files_wait_for_review(login):
    body = CertificationBodyFactory()
    user = UserFactory()
    MembershipFactory(user=user, role=Role.CB_MANAGER, organisation=body)
    MembershipFactory(role=Role.AUDITOR, organisation=body)
    client = login(user)
    assert "à examiner</h3>" not in _dashboard(client)
    contract = ServiceContractFactory(certification_body=body)
    ApplicationFactory(contract=contract, status=S.SUBMITTED)
    assert "1 dossier à examiner" in _dashboard(client)
    for status in (S.RESUBMITTED, S.DRAFT, S.ACKNOWLEDGED, S.COMPLEMENTS_REQUESTED):
        ApplicationFactory(contract=ServiceContractFactory(certification_body=body), status=status)
    ApplicationFactory(status=S.SUBMITTED)  # another body's file
    html = _dashboard(client)
    assert "2 dossiers à examiner" in html
    assert reverse("candidates:review_inbox") in html


def test_auditor_has_a_link_to_the_inbox(login):
    html = _dashboard(login(UserFactory(auditor=True)))
    assert reverse("candidates:review_inbox") in html


def test_ditp_sees_how_many_eligibility_requests_wait(login):
    client = login(UserFactory(ditp=True))
    assert "demande d’éligibilité à examiner" not in _dashboard(client)
    EligibilityRequestFactory(status=EligibilityRequestStatus.SUBMITTED)
    EligibilityRequestFactory(status=EligibilityRequestStatus.SUBMITTED)
    EligibilityRequestFactory(status=EligibilityRequestStatus.AWAITING_CENTRAL)
    EligibilityRequestFactory(status=EligibilityRequestStatus.ACCEPTED)
    html = _dashboard(client)
    assert "2 demandes d’éligibilité à examiner" in html
    assert reverse("candidates:eligibility_requests") in html
