"""What the audit report and the audit plan show, read in a few queries for their PDF templates (§3.6, §3.7.1)."""

from django.utils import timezone

from audits import rules
from audits.enums import AssignmentStatus, DrawKind
from audits.models import Audit
from audits.selectors import grid_with_grades


def audit_team(audit: Audit) -> list:
    """The assigned auditors, the lead first: a list of AuditAssignment with their auditor."""
    return list(
        audit.assignments.filter(status=AssignmentStatus.ASSIGNED)
        .select_related("auditor")
        .order_by("-is_lead", "auditor__last_name", "auditor__first_name", "pk")
    )


def audited_places(audit: Audit) -> dict:
    """The sites of a local audit, or the local services drawn in a central service's network (§3.3)."""
    if audit.is_central:
        draw = audit.draws.filter(kind=DrawKind.LOCALS).first()
        labels = draw.labels if draw else {}
        return {"sites": [], "network_locals": [labels.get(i, i) for i in (draw.selected if draw else [])]}
    return {"sites": list(audit.sites.order_by("kind", "name")), "network_locals": []}


def report_context(audit: Audit, *, draft: bool = False) -> dict:
    """Everything the report template needs beyond the audit and its scores: the team, the places audited, and
    the grid with each checkpoint's grade and comment. `draft` marks the preview shown before sending."""
    return {
        "auditors": audit_team(audit),
        "grid": grid_with_grades(audit, with_previous=False),
        "draft": draft,
        **audited_places(audit),
    }


def plan_context(audit: Audit) -> dict:
    """The audit plan (§3.6): team, dates, duration, places, resource persons, agenda, and the notice of 10 French
    working days (the earliest visit allowed for the day the plan was sent)."""
    plan_sent_on = timezone.localdate(audit.plan_sent_at) if audit.plan_sent_at else None
    return {
        "audit": audit,
        "auditors": audit_team(audit),
        "plan_sent_on": plan_sent_on,
        "earliest_visit": rules.first_visit_day(plan_sent_on) if plan_sent_on else None,
        "notice_days": rules.PLAN_NOTICE_WORKING_DAYS,
        "draft": audit.plan_sent_at is None,
        **audited_places(audit),
    }
