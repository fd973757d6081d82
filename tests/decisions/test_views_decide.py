"""The decision page: every input and condition shown, the manager confirms; errors next to the fields."""

import pytest
from django.urls import reverse

from decisions.models import Decision
from tests.decisions.test_services import _decidable

pytestmark = pytest.mark.django_db


def test_the_page_shows_every_condition_and_a_refusal_needs_its_motivation(login):
    application, manager = _decidable(users=69.99)
    client = login(manager)
    url = reverse("decisions:decision_prepare", args=[application.pk])
    html = client.get(url).content.decode()
    assert "Refus du label" in html
    assert "Enquête usagers" in html and "69,99" in html
    assert html.count("Non atteint") >= 3  # the user survey fails every tier
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 400
    assert 'id="id_motivation-error"' in response.content.decode()
    response = client.post(url, {"confirm": "on", "motivation": "Enquête usagers sous 70."})
    decision = Decision.objects.get()
    assert response["Location"] == reverse("decisions:decision_detail", args=[decision.pk])
    detail = client.get(response["Location"]).content.decode()
    assert "Enquête usagers sous 70." in detail
    # Once decided, the page leads to the decision.
    assert client.get(url)["Location"] == response["Location"]


def test_the_auditor_of_the_file_is_told_someone_else_must_decide(login):
    from labelsp.accounts.enums import Role
    from tests.accounts.factories import MembershipFactory

    application, _manager = _decidable(users=69.99)
    auditor = application.audits.get().assignments.get().auditor
    MembershipFactory(user=auditor, role=Role.CB_MANAGER, organisation=application.certification_body)
    client = login(auditor)
    html = client.get(reverse("decisions:decision_prepare", args=[application.pk])).content.decode()
    assert "une autre personne de l’organisme doit prendre la décision" in html
    assert "Émettre la décision" not in html


def test_an_extension_refused_is_proposed_and_issued_from_the_page(login):
    from candidates.enums import ApplicationKind
    from decisions.enums import DecisionOutcome, Tier
    from tests.decisions.test_services import _held

    application, manager = _decidable(0.75, users=85, agents=70, kind=ApplicationKind.EXTENSION)
    _held(application, Tier.OR)
    client = login(manager)
    url = reverse("decisions:decision_prepare", args=[application.pk])
    html = client.get(url).content.decode()
    assert "Extension de périmètre refusée (le label en cours est inchangé)" in html
    assert client.post(url, {"confirm": "on"}).status_code == 400
    client.post(url, {"confirm": "on", "motivation": "Le site ajouté n’atteint pas le palier Or."})
    assert Decision.objects.get(application=application).outcome == DecisionOutcome.EXTENSION_REFUSAL


def test_a_central_follow_up_short_of_labelled_locals_says_how_many_more_are_needed(login):
    from candidates.enums import ApplicationKind
    from decisions.enums import Tier
    from tests.decisions.test_central import _central_label, _network

    application, manager = _network([Tier.OR, None, None, None], kind=ApplicationKind.FOLLOW_UP)
    _central_label(application, Tier.OR)
    html = (
        login(manager)
        .get(reverse("decisions:decision_prepare", args=[application.pk]) + "?reseau=1")
        .content.decode()
    )
    assert "D’autres services locaux à présenter" in html
    assert "dont au moins 2 labellisés" in html  # ⌈75 % × 4⌉ = 3, one is


def test_the_manager_reaches_the_central_decision_from_the_central_audit(login):
    """A central file handed over for decision leads its manager to the decision page, as a local one does."""
    from decisions.enums import Tier
    from tests.decisions.test_central import _network

    application, manager = _network([Tier.ARGENT, Tier.ARGENT, Tier.OR])
    audit = application.audits.get()
    html = login(manager).get(reverse("audits:audit_detail", args=[audit.pk])).content.decode()
    assert reverse("decisions:decision_prepare", args=[application.pk]) in html
