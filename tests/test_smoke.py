import pytest

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_home_is_public(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Services Publics +" in response.content.decode()


def test_dashboard_requires_login(client):
    response = client.get("/espace/")
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/login/")


def test_candidate_dashboard(login):
    user = UserFactory(candidate=True)
    response = login(user).get("/espace/")
    assert response.status_code == 200
    assert "Déclarez vos sites" in response.content.decode()
