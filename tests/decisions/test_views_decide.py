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
