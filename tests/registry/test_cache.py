"""The registry's cache (registry/cache.py): whole pages shared between anonymous visitors with their own CSP nonce,
never a page holding a CSRF token nor a logged-in page; the memory tier, its version check delay and its bounds."""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from registry import cache as registry_cache
from tests.accounts.factories import UserFactory
from tests.decisions.factories import bulk_labels
from tests.registry.test_public import _labelled

pytestmark = pytest.mark.django_db

NONCE = re.compile(r'<script[^>]* nonce="([^"]+)"')


def _get(client, path=None):
    response = client.get(path or reverse("registre:list"))
    assert response.status_code == 200
    return response, response.content.decode()


def test_anonymous_visitors_share_the_page_each_with_their_own_nonce(django_assert_num_queries):
    _labelled("CAF de Lyon")
    first, first_page = _get(Client())
    with django_assert_num_queries(0):
        second, second_page = _get(Client())
    assert "CAF de Lyon" in second_page
    for response, page in ((first, first_page), (second, second_page)):
        assert registry_cache.NONCE_SLOT not in page
        nonces = set(NONCE.findall(page))
        assert len(nonces) == 1  # every script of the page carries the response's nonce…
        assert f"'nonce-{nonces.pop()}'" in response["Content-Security-Policy"]  # …which the policy allows
        assert "csrfmiddlewaretoken" not in page and not response.cookies  # nothing of one visitor's own
        assert "Cookie" in response["Vary"]  # no shared cache on the way serves it to a logged-in visitor
    assert NONCE.findall(first_page)[0] != NONCE.findall(second_page)[0]
    # The footer's language links work from a shared page.
    client = Client()
    link = re.search(r'href="(/langue/en/\?next=[^"]+)"', _get(client)[1]).group(1)
    assert client.get(link.replace("&amp;", "&")).status_code == 302
    assert 'lang="en"' in _get(client)[1] and "Log in" in _get(client)[1]


def test_a_page_holding_a_csrf_token_is_never_shared(rf):
    from django.http import HttpResponse
    from django.template import engines

    template = engines["django"].from_string('<form method="post">{% csrf_token %}</form>')
    renders = []
    for _ in range(2):
        request = rf.get("/registre/")

        def render(request=request):
            renders.append(request)
            return HttpResponse(template.render({}, request))

        page = registry_cache.shared_page(request, "csrf-form", render).content.decode()
        assert "csrfmiddlewaretoken" in page
    assert len(renders) == 2  # rendered for each visitor, with their own token


def test_a_logged_in_page_is_never_shared(client):
    _labelled("CAF de Lyon")
    user = UserFactory(first_name="Camille", last_name="Ardent")
    client.force_login(user)
    _response, logged_in = _get(client)
    assert "Se déconnecter" in logged_in
    _response, anonymous = _get(Client())
    assert "Se déconnecter" not in anonymous and "Se connecter" in anonymous
    _response, logged_in = _get(client)  # after an anonymous page was stored
    assert "Se déconnecter" in logged_in


def test_every_public_page_is_shared(django_assert_num_queries):
    label = _labelled("CAF de Nantes")
    paths = [
        reverse("registre:list"),
        reverse("registre:list") + "?tier=argent&q=nantes",
        reverse("registre:list") + "?region=zz",  # an invalid value: the page with its error, shared too
        reverse("registre:service", args=[label.local_service.siret]),
        reverse("registre:bodies"),
    ]
    pages = [_get(Client(), path)[1] for path in paths]
    with django_assert_num_queries(0):
        again = [_get(Client(), path)[1] for path in paths]
    assert [NONCE.sub("", page) for page in again] == [NONCE.sub("", page) for page in pages]
    assert "CAF de Nantes" in pages[3]


def test_a_change_in_another_process_is_seen_after_the_check_delay(settings, monkeypatch):
    settings.REGISTRY_VERSION_CHECK_SECONDS = 2
    clock = [1000.0]
    monkeypatch.setattr(registry_cache.time, "monotonic", lambda: clock[0])
    template = _labelled("Premier service")
    assert "Premier service" in _get(Client())[1]
    # Another process adds a service and bumps the shared version (bulk_create sends no signal here).
    bulk_labels(template, 1, name="Service ajouté ailleurs")
    cache.incr(registry_cache.VERSION_KEY)
    clock[0] += 1.9
    assert (
        "Service ajouté ailleurs" not in _get(Client())[1]
    )  # this process has not read the version again yet
    clock[0] += 0.1
    assert "Service ajouté ailleurs" in _get(Client())[1]
    # A change made by this process is seen at once.
    _labelled("Service ajouté ici")
    assert "Service ajouté ici" in _get(Client())[1]


def test_a_flushed_shared_cache_never_brings_back_an_old_page():
    template = _labelled("Premier service")
    assert "Service suivant" not in _get(Client())[1]
    cache.clear()  # Redis restarted: the counter starts again, at random, while the memory tier still holds pages
    bulk_labels(template, 1, name="Service suivant")
    assert "Service suivant" in _get(Client())[1]


def test_the_memory_tier_is_bounded(monkeypatch):
    monkeypatch.setattr(registry_cache, "LOCAL_MAX_ENTRIES", 3)
    for n in range(5):
        registry_cache.cache_set(f"registry:test:{n}", f"value {n}")
    assert list(registry_cache._local) == [f"registry:test:{n}" for n in (2, 3, 4)]
    assert registry_cache.cache_get("registry:test:0") == "value 0"  # still in the shared tier
    big = b"x" * (registry_cache.LOCAL_MAX_BYTES + 1)
    registry_cache.cache_set("registry:test:big", big)
    assert "registry:test:big" not in registry_cache._local
    assert registry_cache.cache_get("registry:test:big") == big


def test_with_the_cache_turned_off_nothing_is_shared(settings, django_assert_num_queries):
    _labelled("Service")
    _get(Client())
    settings.REGISTRY_CACHE_SECONDS = 0
    with django_assert_num_queries(4):  # count, page; the form's two lists
        _get(Client())
