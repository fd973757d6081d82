"""Every URL of the project × every persona → the expected answer.

The list of URLs is read from the URL configuration: a new URL that is not in the matrix (or explicitly
public, or owned by a third-party app listed in THIRD_PARTY) makes `test_every_url_is_in_the_matrix` fail.
Objects outside a user's scope answer 404, never 403, so that their existence does not leak; 403 is for
objects a persona may read but not change. The personas and objects are in tests/matrix_world.py; each
area adds its cases in a tests/<app>/matrix_<area>.py module.
"""

import importlib
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.matrix_world import (
    ANONYMOUS,
    AUDITOR,
    CANDIDATE,
    CB_MANAGER,
    CENTRAL,
    DITP,
    LOGIN,
    PERSONAS,
    Case,
    World,
    not_found_but,
)

pytestmark = pytest.mark.django_db

# Names served without login, by design.
PUBLIC = {
    "home",
    "health",
    "language",
    "proconnect_login",
    "proconnect_callback",
    "decisions:attestation_verify",
    "decisions:attestation_check_upload",
}
# URL namespaces / name prefixes owned by third-party apps, tested in their own files
# (tests/accounts/test_auth_flows.py, test_proconnect.py); the admin is in this matrix below.
THIRD_PARTY_PREFIXES = ("account_", "mfa_", "socialaccount_", "admin:")


CORE_CASES = {
    "accounts:dashboard": Case(url=lambda w: reverse("accounts:dashboard"), expect={ANONYMOUS: LOGIN}),
    "accounts:memberships": Case(url=lambda w: reverse("accounts:memberships"), expect={ANONYMOUS: LOGIN}),
    "accounts:switch_membership": Case(
        # Only the owner of a membership may switch to it; everyone else gets 404.
        url=lambda w: reverse("accounts:switch_membership", args=[w.candidate_membership.pk]),
        method="post",
        expect={ANONYMOUS: LOGIN, CANDIDATE: 302},
        default=404,
    ),
    "candidates:local_service_detail": Case(
        url=lambda w: reverse("candidates:local_service_detail", args=[w.local.pk]),
        expect=not_found_but(CANDIDATE, CENTRAL, DITP),
    ),
    "candidates:central_service_detail": Case(
        url=lambda w: reverse("candidates:central_service_detail", args=[w.central.pk]),
        expect=not_found_but(CENTRAL, DITP),
    ),
    "registry:certification_body_detail": Case(
        url=lambda w: reverse("registry:certification_body_detail", args=[w.body.pk]),
        expect=not_found_but(AUDITOR, CB_MANAGER, DITP),
    ),
    # Ends the local session (and the ProConnect one when there is one): any logged-in user.
    "proconnect_logout": Case(
        url=lambda w: reverse("proconnect_logout"), method="post", expect={ANONYMOUS: LOGIN}, default=302
    ),
    # The Django admin: DITP superusers only; everyone else is sent to the (MFA-protected) login.
    "admin:index": Case(url=lambda w: reverse("admin:index"), expect={DITP: 200}, default=LOGIN),
}


def _area_cases():
    cases = {}
    for path in sorted(Path(__file__).parent.glob("*/matrix_*.py")):
        module = importlib.import_module(f"tests.{path.parent.name}.{path.stem}")
        overlap = set(cases) & set(module.CASES)
        assert not overlap, f"{path}: cases already defined elsewhere: {overlap}"
        cases.update(module.CASES)
    return cases


MATRIX = {**CORE_CASES, **_area_cases()}


def _all_url_names(patterns=None, namespace=""):
    names = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _all_url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_is_in_the_matrix():
    ours = {name for name in _all_url_names() if not name.startswith(THIRD_PARTY_PREFIXES)}
    missing = ours - PUBLIC - set(MATRIX)
    assert not missing, f"URLs missing from the permission matrix: {sorted(missing)}"
    assert not (set(MATRIX) - _all_url_names()), "The matrix names URLs that no longer exist"


@pytest.fixture
def world():
    return World()


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_permission_matrix(name, persona, world, client, login):
    case = MATRIX[name]
    user = world.users[persona]
    if user is not None:
        client = login(user)
    url = case.url(world)
    response = getattr(client, case.method)(url, case.data)
    expected = case.expected(persona)
    if expected == LOGIN:
        assert response.status_code == 302, (name, persona, response.status_code)
        assert "/login/" in response["Location"], (name, persona, response["Location"])
    else:
        assert response.status_code == expected, (name, persona, response.status_code)


@pytest.mark.parametrize("name", sorted(n for n, c in MATRIX.items() if c.method == "post"))
def test_changes_refuse_get(name, world, login):
    """Every change is POST-only: a GET (a link, a prefetch) never changes anything."""
    client = login(world.users[CANDIDATE])
    response = client.get(MATRIX[name].url(world))
    assert response.status_code in (404, 405)


# Public pages that take an argument (decisions:attestation_verify) are in the matrix with every persona at 200;
# the language links are tested in tests/test_pages.py.
@pytest.mark.parametrize(
    "name",
    sorted(PUBLIC - {"language", "proconnect_login", "proconnect_callback", "decisions:attestation_verify"}),
)
def test_public_pages_answer_anonymous(name, client):
    assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", ["proconnect_login", "proconnect_callback"])
def test_proconnect_pages_do_not_exist_when_it_is_off(name, client):
    assert client.get(reverse(name)).status_code == 404
