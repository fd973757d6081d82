"""The shell every page shares: DSFR assets served locally, error pages, health check."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_design_system_assets_are_served_locally_without_cdn(client):
    html = client.get(reverse("home")).content.decode()
    sources = re.findall(r'(?:href|src)="([^"]+\.(?:css|js))"', html)
    assert any("dsfr" in source for source in sources)
    assert all(source.startswith("/static/") for source in sources), sources


def test_pages_have_skip_links_header_footer_and_language(client):
    html = client.get(reverse("home")).content.decode()
    assert 'href="#content"' in html and 'id="content"' in html
    assert 'id="navigation"' in html and 'id="footer"' in html
    assert '<html lang="fr"' in html


def test_english_is_available(client):
    response = client.get(reverse("language", args=["en"]), {"next": "/registre/"})
    assert response.status_code == 302 and response["Location"] == "/registre/"
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="en"' in html
    assert "Log in" in html
    assert client.get(reverse("language", args=["fr"])).status_code == 302
    assert '<html lang="fr"' in client.get(reverse("home")).content.decode()


def test_the_language_links_go_back_to_this_site_only_and_know_their_languages(client):
    for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        response = client.get(reverse("language", args=["en"]), {"next": target})
        assert response["Location"] == "/"
    assert client.get(reverse("language", args=["xx"])).status_code == 404
    assert client.post(reverse("language", args=["en"])).status_code == 405


def test_unknown_page_is_a_french_404(client):
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    assert "Page non trouvée" in response.content.decode()


def test_server_error_page_needs_no_database(settings):
    from labelsp.views import server_error

    response = server_error(None)
    assert response.status_code == 500
    assert "Erreur inattendue" in response.content.decode()


def test_health_check(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_navigation_marks_the_current_page(login):
    client = login(UserFactory(candidate=True))
    html = client.get(reverse("accounts:dashboard")).content.decode()
    assert re.search(r'href="/espace/" aria-current="page"', html)


def test_logged_out_visitor_sees_login_and_no_private_navigation():
    html = Client().get(reverse("home")).content.decode()
    assert "Se connecter" in html
    assert "Tableau de bord" not in html


def test_organisation_names_are_escaped_in_messages_and_pages(login):
    """Names typed by people reach messages, tables and headings: always escaped (XSS)."""
    from labelsp.accounts.enums import Role
    from tests.accounts.factories import MembershipFactory
    from tests.candidates.factories import LocalServiceFactory

    user = UserFactory()
    evil = LocalServiceFactory(name='<script>alert("x")</script>')
    MembershipFactory(user=user, role=Role.COMMISSION)
    membership = MembershipFactory(user=user, role=Role.CANDIDATE, organisation=evil)
    client = login(user)
    response = client.post(reverse("accounts:switch_membership", args=[membership.pk]), follow=True)
    html = response.content.decode()
    assert "Vous agissez désormais en tant que" in html
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
