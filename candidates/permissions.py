"""Who may change what on the candidate side: one helper per object kind, used by every view and service."""

from candidates.enums import ApplicationStatus
from labelsp.accounts.scoping import holds_perm


def can_manage_local_service(user, local_service) -> bool:
    """Candidate staff of the service (read-only for its central service and the DITP)."""
    return holds_perm(user, "candidates.change_localservice", local_service)


def can_manage_central_service(user, central_service) -> bool:
    return holds_perm(user, "candidates.change_centralservice", central_service)


def can_manage_candidate(user, candidate) -> bool:
    from candidates.models import CentralService

    if isinstance(candidate, CentralService):
        return can_manage_central_service(user, candidate)
    return can_manage_local_service(user, candidate)


def can_edit_application(user, application) -> bool:
    """The candidate edits a draft, and a submitted file only through a complements request (§3.5.2)."""
    return application.is_editable_by_candidate and can_manage_candidate(user, application.candidate)


def can_review_application(user, application) -> bool:
    """The managers of the chosen certification body check, ask for complements and acknowledge."""
    return application.status != ApplicationStatus.DRAFT and holds_perm(
        user, "registry.change_certificationbody", application.certification_body
    )


def is_member_of_body(user, certification_body) -> bool:
    return holds_perm(user, "registry.view_certificationbody", certification_body)


def can_post_message(user, application) -> bool:
    """The candidate's staff and the body's members talk about a file once it has been submitted."""
    if application.status == ApplicationStatus.DRAFT:
        return False
    return can_manage_candidate(user, application.candidate) or is_member_of_body(
        user, application.certification_body
    )
