"""The personas and objects of the permission matrix (tests/test_permission_matrix.py).

Each area adds its cases in a `tests/<app>/matrix_<area>.py` module exporting `CASES = {url_name: Case(...)}`.
"""

from dataclasses import dataclass, field

from candidates.enums import ApplicationStatus, DocumentPiece, EligibilityRequestStatus, SiteKind
from labelsp.accounts.enums import Role
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.candidates.factories import (
    ApplicationDocumentFactory,
    ApplicationFactory,
    CentralServiceFactory,
    EligibilityRequestFactory,
    LocalServiceFactory,
    ServiceContractFactory,
    SiteFactory,
)
from tests.registry.factories import CertificationBodyFactory

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
        self.site = SiteFactory(local_service=self.local, kind=SiteKind.PRINCIPAL)
        self.site_secondary = SiteFactory(local_service=self.local, kind=SiteKind.SECONDARY)
        # The network's contract is with `body`; the local's file is awaiting complements (editable by the
        # candidate, visible to the body).
        self.contract = ServiceContractFactory(
            central_service=self.central, local_service=None, certification_body=self.body
        )
        self.application = ApplicationFactory(
            contract=self.contract, local_service=self.local, status=ApplicationStatus.COMPLEMENTS_REQUESTED
        )
        self.document = ApplicationDocumentFactory(
            application=self.application, piece=DocumentPiece.ORG_CHART
        )
        self.eligibility_request = EligibilityRequestFactory(
            requested_by=self.users[CANDIDATE],
            central_service=self.central,
            status=EligibilityRequestStatus.AWAITING_CENTRAL,
        )


@dataclass
class Case:
    url: callable
    expect: dict
    default: object = 200
    method: str = "get"
    data: dict = field(default_factory=dict)

    def expected(self, persona):
        return self.expect.get(persona, self.default)


def not_found_but(*allowed, status=200):
    """Every logged-in persona gets 404 but `allowed`, who get `status`; anonymous visitors go to the login."""
    return {ANONYMOUS: LOGIN, **{p: (status if p in allowed else 404) for p in PERSONAS if p != ANONYMOUS}}
