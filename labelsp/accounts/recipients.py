"""Who is told: the e-mail addresses of an organisation's active members in the role that acts for it."""

from labelsp.accounts.enums import Role


def _emails(memberships, role) -> list[str]:
    return list(memberships.active().filter(role=role).values_list("user__email", flat=True))


def service_staff_emails(service) -> list[str]:
    """A local service's candidate staff, or a central service's staff."""
    from candidates.models import CentralService

    return _emails(
        service.memberships, Role.CENTRAL if isinstance(service, CentralService) else Role.CANDIDATE
    )


def body_manager_emails(body) -> list[str]:
    return _emails(body.memberships, Role.CB_MANAGER)


def ditp_emails() -> list[str]:
    from labelsp.accounts.models import Membership

    return _emails(Membership.objects, Role.DITP)
