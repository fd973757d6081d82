"""Who may do what on an audit: one helper per action, used by every view and service (deny by default)."""

from audits.enums import AssignmentStatus
from candidates.permissions import can_manage_candidate
from labelsp.accounts.scoping import holds_perm


def can_manage_body_audits(user, certification_body) -> bool:
    """The certification body's managers create audits, assign auditors, draw, plan."""
    return holds_perm(user, "registry.change_certificationbody", certification_body)


def can_manage_audit(user, audit) -> bool:
    return can_manage_body_audits(user, audit.certification_body)


def is_assigned(user, audit) -> bool:
    """An auditor of the audit's team: proposed, then assigned after declaring no conflict of interest."""
    if not getattr(user, "is_authenticated", False):
        return False
    return audit.assignments.filter(auditor=user, status=AssignmentStatus.ASSIGNED).exists()


def can_grade(user, audit) -> bool:
    """Only the assigned auditors grade, take photos, record the closing meeting (§3.7)."""
    return is_assigned(user, audit)


def can_write_report(user, audit) -> bool:
    return is_assigned(user, audit)


def can_follow_up_report(user, audit) -> bool:
    """After the report: the auditors judge corrective actions; they or the body's managers send the file on."""
    return is_assigned(user, audit) or can_manage_audit(user, audit)


def can_answer_report(user, audit) -> bool:
    """The audited service's staff send observations (and corrective actions for a central service)."""
    return can_manage_candidate(user, audit.candidate)
