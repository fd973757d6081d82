"""Demo deadlines and notifications (issue #7): every demo label's cycle, the audits' report and observation dates,
Villeurbanne's date to apply again; then one sweep, as if it ran today after a long pause, so the people concerned
find their overdue deadlines and notifications (the Certiqual manager sees the escalations).

Schedules are computed from each label's decision date, then swept once today: each deadline sends what is due now
(an escalation for a missed obligation, not every reminder it would have sent). Idempotent: deadlines are keyed
and the sweep sends each step once.
"""

from decisions.models import Decision, Label
from labelsp.deadlines.models import Deadline
from labelsp.deadlines.services import label_schedule_sync, sweep
from labelsp.demo import SeedCounter
from labelsp.demo.registry import SERIES as REGISTRY_SERIES


def seed(stdout) -> list:
    counter = SeedCounter("Échéances")
    before = set(Deadline.objects.values_list("key", flat=True))
    # The national registry's labels (labelsp/demo/registry.py) are background: no deadlines of their own.
    labels = Label.objects.exclude(local_service__siret__startswith=REGISTRY_SERIES)
    for label in labels.select_related("decision__application").order_by("pk"):
        label_schedule_sync(label, today=label.starts_on)
    for decision in Decision.objects.filter(outcome="refusal", replaced_by__isnull=True):
        _new_application(decision)
    for audit in _audits():
        _audit_dates(audit)
    sweep()
    for key in Deadline.objects.values_list("key", flat=True):
        counter.add(key not in before)
    stdout.write(f"  {counter}")
    return []


def _new_application(decision) -> None:
    from candidates.rules import new_application_allowed_from
    from labelsp.deadlines.enums import DeadlineKind
    from labelsp.deadlines.services import deadline_set

    deadline_set(
        key=f"decision:{decision.pk}:new_application",
        kind=DeadlineKind.NEW_APPLICATION,
        subject=decision,
        due_on=new_application_allowed_from(decision.decided_on),
        today=decision.decided_on,
    )


def _audits():
    from audits.models import Audit

    return Audit.objects.filter(visit_end__isnull=False).select_related("application")


def _audit_dates(audit) -> None:
    """The demo audits were written directly: give them the deadlines their plan and report would have created."""
    from django.utils import timezone

    from audits import rules
    from labelsp.deadlines.enums import Actor, DeadlineKind
    from labelsp.deadlines.services import deadline_set, deadlines_close

    if audit.plan_sent_at:
        deadline_set(
            key=f"audit:{audit.pk}:report",
            kind=DeadlineKind.REPORT,
            subject=audit,
            due_on=rules.report_due(audit.visit_end),
            actor=Actor.BODY,
            today=timezone.localdate(audit.plan_sent_at),
        )
    if audit.report_sent_at:
        sent_on = timezone.localdate(audit.report_sent_at)
        deadlines_close(audit, kinds=[DeadlineKind.REPORT])
        deadline_set(
            key=f"audit:{audit.pk}:observations",
            kind=DeadlineKind.OBSERVATIONS,
            subject=audit,
            due_on=rules.observations_due(sent_on),
            actor=Actor.CANDIDATE,
            today=sent_on,
        )
