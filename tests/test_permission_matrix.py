"""Every URL of the project × every persona → the expected answer.

The list of URLs is read from the URL configuration: a new URL that is not in MATRIX (or explicitly
public, or owned by a third-party app listed in THIRD_PARTY) makes `test_every_url_is_in_the_matrix` fail.
Objects outside a user's scope answer 404, never 403, so that their existence does not leak.
"""

from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from labelsp.accounts.enums import Role
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.candidates.factories import CentralServiceFactory, LocalServiceFactory
from tests.registry.factories import CertificationBodyFactory

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
NO_MEMBERSHIP = "no_membership"
CANDIDATE = "candidate"
CANDIDATE_OTHER = "candidate_other"
CENTRAL = "central"
CENTRAL_OTHER = "central_other"
AUDITOR = "auditor"
AUDITOR_OTHER = "auditor_other"
CB_MANAGER = "cb_manager"
CB_MANAGER_OTHER = "cb_manager_other"
DITP = "ditp"
COMMISSION = "commission"
PERSONAS = [
    ANONYMOUS,
    NO_MEMBERSHIP,
    CANDIDATE,
    CANDIDATE_OTHER,
    CENTRAL,
    CENTRAL_OTHER,
    AUDITOR,
    AUDITOR_OTHER,
    CB_MANAGER,
    CB_MANAGER_OTHER,
    DITP,
    COMMISSION,
]
LOGIN = "login"  # a redirect to the login page

# Names served without login, by design.
PUBLIC = {"home", "health", "set_language", "proconnect_login", "proconnect_callback"}
# URL namespaces / name prefixes owned by third-party apps, tested in their own files
# (tests/accounts/test_auth_flows.py, test_proconnect.py); the admin is in this matrix below.
THIRD_PARTY_PREFIXES = ("account_", "mfa_", "socialaccount_", "admin:")


class World:
    """Two of everything: the personas' own organisations and someone else's."""

    def __init__(self):
        self.central = CentralServiceFactory()
        self.central_other = CentralServiceFactory()
        self.local = LocalServiceFactory(parent=self.central)
        self.local_other = LocalServiceFactory(parent=self.central_other)
        self.body = CertificationBodyFactory()
        self.body_other = CertificationBodyFactory()
        self.users = {ANONYMOUS: None, NO_MEMBERSHIP: UserFactory()}
        for persona, role, organisation in [
            (CANDIDATE, Role.CANDIDATE, self.local),
            (CANDIDATE_OTHER, Role.CANDIDATE, self.local_other),
            (CENTRAL, Role.CENTRAL, self.central),
            (CENTRAL_OTHER, Role.CENTRAL, self.central_other),
            (AUDITOR, Role.AUDITOR, self.body),
            (AUDITOR_OTHER, Role.AUDITOR, self.body_other),
            (CB_MANAGER, Role.CB_MANAGER, self.body),
            (CB_MANAGER_OTHER, Role.CB_MANAGER, self.body_other),
            (DITP, Role.DITP, None),
            (COMMISSION, Role.COMMISSION, None),
        ]:
            user = UserFactory(is_staff=persona == DITP, is_superuser=persona == DITP)
            MembershipFactory(user=user, role=role, organisation=organisation)
            self.users[persona] = user
        self.candidate_membership = self.users[CANDIDATE].memberships.get()


@dataclass
class Case:
    url: callable
    expect: dict
    default: object = 200
    method: str = "get"
    data: dict = field(default_factory=dict)

    def expected(self, persona):
        return self.expect.get(persona, self.default)


NOT_FOUND_BUT = lambda *allowed: {p: (200 if p in allowed else 404) for p in PERSONAS if p != ANONYMOUS}  # noqa: E731

MATRIX = {
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
        expect={ANONYMOUS: LOGIN, **NOT_FOUND_BUT(CANDIDATE, CENTRAL, DITP)},
    ),
    "candidates:central_service_detail": Case(
        url=lambda w: reverse("candidates:central_service_detail", args=[w.central.pk]),
        expect={ANONYMOUS: LOGIN, **NOT_FOUND_BUT(CENTRAL, DITP)},
    ),
    "registry:certification_body_detail": Case(
        url=lambda w: reverse("registry:certification_body_detail", args=[w.body.pk]),
        expect={ANONYMOUS: LOGIN, **NOT_FOUND_BUT(AUDITOR, CB_MANAGER, DITP)},
    ),
    # Ends the local session (and the ProConnect one when there is one): any logged-in user.
    "proconnect_logout": Case(
        url=lambda w: reverse("proconnect_logout"), method="post", expect={ANONYMOUS: LOGIN}, default=302
    ),
    # The Django admin: DITP superusers only; everyone else is sent to the (MFA-protected) login.
    "admin:index": Case(url=lambda w: reverse("admin:index"), expect={DITP: 200}, default=LOGIN),
}


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


@pytest.mark.parametrize("name", sorted(PUBLIC - {"set_language", "proconnect_login", "proconnect_callback"}))
def test_public_pages_answer_anonymous(name, client):
    assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", ["proconnect_login", "proconnect_callback"])
def test_proconnect_pages_do_not_exist_when_it_is_off(name, client):
    assert client.get(reverse(name)).status_code == 404
