"""The central service's network page: registration, current file and next deadline of every local service.

The constant number of queries is pinned in tests/candidates/test_views.py
(test_network_page_has_a_constant_number_of_queries).
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from candidates import rules
from candidates.enums import ApplicationKind, ApplicationStatus
from labelsp.accounts.enums import Role
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.candidates.factories import (
    ApplicationFactory,
    CentralServiceFactory,
    LocalServiceFactory,
    ServiceContractFactory,
)

pytestmark = pytest.mark.django_db

S = ApplicationStatus


@pytest.fixture
def network(login):
    central = CentralServiceFactory()
    user = UserFactory()
    MembershipFactory(user=user, role=Role.CENTRAL, organisation=central)
    contract = ServiceContractFactory(central_service=central, local_service=None)
    return central, contract, login(user), reverse("candidates:central_service_detail", args=[central.pk])


def _row(html, name):
    """The table row of the local service `name`."""
    start = html.index(f">{name}</a>")
    return html[start : html.index("</tr>", start)]


def _fr(day):
    return date_format(day, "j F Y")


def test_network_page_has_the_follow_up_columns(network):
    _central, _contract, client, url = network
    html = client.get(url).content.decode()
    for header in ("Inscription", "Dossier en cours", "Palier et validité", "Prochaine échéance"):
        assert f'<th scope="col">{header}</th>' in html


def test_registration_state_of_each_local(network):
    central, _contract, client, url = network
    registered = LocalServiceFactory(parent=central, name="CAF inscrite", registered_at=timezone.now())
    MembershipFactory(role=Role.CANDIDATE, organisation=registered)
    revoked_only = LocalServiceFactory(parent=central, name="CAF sans référent")
    membership = MembershipFactory(role=Role.CANDIDATE, organisation=revoked_only)
    membership.revoked_at = timezone.now()
    membership.save()
    html = client.get(url).content.decode()
    assert f"Inscrit le {_fr(timezone.localdate())}" in _row(html, "CAF inscrite")
    assert "Pas encore inscrit" in _row(html, "CAF sans référent")


def test_next_deadline_of_each_local(network):
    central, contract, client, url = network
    audit = timezone.localdate() + datetime.timedelta(days=75)
    for name, status, audit_start in [
        ("CAF brouillon daté", S.DRAFT, audit),
        ("CAF compléments", S.COMPLEMENTS_REQUESTED, audit),
        ("CAF déposée", S.SUBMITTED, audit),
        ("CAF recevable", S.ACKNOWLEDGED, audit),
        ("CAF brouillon sans date", S.DRAFT, None),
    ]:
        ApplicationFactory(
            contract=contract,
            local_service=LocalServiceFactory(parent=central, name=name),
            status=status,
            audit_start=audit_start,
            audit_end=audit_start,
        )
    LocalServiceFactory(parent=central, name="CAF sans dossier")
    closed = ApplicationFactory(
        contract=contract,
        local_service=LocalServiceFactory(parent=central, name="CAF close"),
        status=S.CLOSED,
        outcome="withdrawn",
        audit_start=audit,
    )
    html = client.get(url).content.decode()
    last_day = _fr(rules.latest_submission_date(audit))
    assert f"Dépôt au plus tard le {last_day}" in _row(html, "CAF brouillon daté")
    assert "Brouillon" in _row(html, "CAF brouillon daté")
    assert "Labellisation initiale" in _row(html, "CAF brouillon daté")
    assert f"Dépôt au plus tard le {last_day}" in _row(html, "CAF compléments")
    assert f"Audit le {_fr(audit)}" in _row(html, "CAF déposée")
    assert f"Audit le {_fr(audit)}" in _row(html, "CAF recevable")
    for name in ("CAF brouillon sans date", "CAF sans dossier", "CAF close"):
        assert "Dépôt au plus tard" not in _row(html, name)
        assert "Audit le" not in _row(html, name)
    # A closed file is not the current one.
    assert closed.get_status_display() not in _row(html, "CAF close")


def test_network_page_filters_by_registration_and_application_status(network):
    central, contract, client, url = network
    registered = LocalServiceFactory(parent=central, name="CAF inscrite")
    MembershipFactory(role=Role.CANDIDATE, organisation=registered)
    ApplicationFactory(contract=contract, local_service=registered, status=S.SUBMITTED)
    drafting = LocalServiceFactory(parent=central, name="CAF en brouillon")
    ApplicationFactory(contract=contract, local_service=drafting, status=S.DRAFT)
    LocalServiceFactory(parent=central, name="CAF inactive")

    def names(**params):
        return [s.name for s in client.get(url, params).context["page_obj"]]

    everyone = ["CAF en brouillon", "CAF inactive", "CAF inscrite"]
    assert names() == everyone
    assert names(registration="registered") == ["CAF inscrite"]
    assert names(registration="not_registered") == ["CAF en brouillon", "CAF inactive"]
    assert names(registration="whatever") == everyone
    assert names(application_status="submitted") == ["CAF inscrite"]
    assert names(application_status="draft") == ["CAF en brouillon"]
    assert names(application_status="none") == ["CAF inactive"]
    assert names(application_status="closed") == everyone  # no open file is closed: not offered, ignored
    assert names(application_status="draft", registration="registered") == []


def test_the_central_campaign_is_shown_at_the_top(network):
    central, contract, client, url = network
    campaign = ApplicationFactory(
        contract=contract, central_service=central, local_service=None, kind=ApplicationKind.INITIAL
    )
    for status in (S.DRAFT, S.SUBMITTED, S.SUBMITTED):
        ApplicationFactory(
            contract=contract,
            local_service=LocalServiceFactory(parent=central),
            central_application=campaign,
            status=status,
        )
    response = client.get(url)
    assert response.context["campaign"] == campaign
    assert response.context["campaign_counts"] == [("Brouillon", 1), ("Déposé", 2)]
    html = response.content.decode()
    assert html.index("Campagne de labellisation du réseau") < html.index("<table>")
    assert contract.certification_body.name in html
    assert "Déposé : 2" in html


def test_without_a_campaign_the_page_says_so(network):
    _central, _contract, client, url = network
    assert (
        "Le service central n’a pas de dossier de candidature en cours." in client.get(url).content.decode()
    )


def test_the_network_page_leads_the_central_service_to_its_contract(network, login):
    _central, contract, client, url = network
    page = client.get(url).content.decode()
    assert contract.certification_body.name in page
    assert reverse("candidates:contract_create") not in page
    newcomer = CentralServiceFactory()
    user = UserFactory()
    MembershipFactory(user=user, role=Role.CENTRAL, organisation=newcomer)
    page = login(user).get(reverse("candidates:central_service_detail", args=[newcomer.pk])).content.decode()
    assert "Aucun contrat de prestation ne couvre votre réseau" in page
    assert reverse("candidates:contract_create") in page
