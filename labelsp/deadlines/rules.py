"""When a deadline falls and what the sweep sends for it: pure functions, tested at their boundaries.

A deadline's steps are dated from its due date: reminders 30 and 7 days before (those that make sense for it), a
notice on the day for the deadlines that are events rather than obligations, and an escalation the day after the
due date — or after the end of its window when the guide gives one (follow-up audits ± 2 months).
"""

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from labelsp.deadlines.enums import Actor, DeadlineKind, Step


@dataclass(frozen=True)
class Spec:
    reminders: tuple[int, ...] = (30, 7)  # days before the due date
    on_due: bool = False  # a notice on the due date itself
    escalate: bool = True  # an escalation the day after the due date (or the window's end)


SPECS = {
    DeadlineKind.FOLLOW_UP_PREPARATION: Spec(reminders=(30,), on_due=True, escalate=False),
    DeadlineKind.FOLLOW_UP_AUDIT: Spec(),
    DeadlineKind.SELF_ASSESSMENT: Spec(),
    DeadlineKind.SURVEYS: Spec(),
    DeadlineKind.RENEWAL: Spec(reminders=(), on_due=True, escalate=False),  # the invitation itself
    DeadlineKind.EXPIRY: Spec(reminders=(30,), on_due=True, escalate=False),
    DeadlineKind.REPORT: Spec(reminders=(7,)),
    DeadlineKind.OBSERVATIONS: Spec(reminders=(7,), escalate=False),
    DeadlineKind.ACTION_PLAN: Spec(reminders=(7,)),
    DeadlineKind.SUSPENSION_END: Spec(),
    DeadlineKind.MARK_REMOVAL: Spec(),
    DeadlineKind.NEW_APPLICATION: Spec(reminders=(), on_due=True, escalate=False),
    DeadlineKind.APPLICATION_FILE: Spec(),
    DeadlineKind.AUDIT_PLAN: Spec(reminders=(7,)),
    DeadlineKind.SURVEY_RESULTS_EXPIRY: Spec(reminders=(30,), on_due=True, escalate=False),
    DeadlineKind.NEW_CAMPAIGN: Spec(reminders=(), on_due=True, escalate=False),
}
# Obligations the platform cannot observe by itself: the service that must act declares them done.
SELF_DECLARED = (
    DeadlineKind.FOLLOW_UP_PREPARATION,
    DeadlineKind.SELF_ASSESSMENT,
    DeadlineKind.SURVEYS,
    DeadlineKind.MARK_REMOVAL,
)
# Escalations the DITP receives too (it publishes suspensions and withdrawals).
DITP_ESCALATIONS = (DeadlineKind.SUSPENSION_END, DeadlineKind.MARK_REMOVAL)
REMINDER_STEPS = {30: Step.REMINDER_30, 7: Step.REMINDER_7}


def steps(kind: str, due_on: datetime.date, window_end: datetime.date | None = None) -> list:
    """[(date, Step)] in date order."""
    spec = SPECS[DeadlineKind(kind)]
    planned = [(due_on - datetime.timedelta(days=days), REMINDER_STEPS[days]) for days in spec.reminders]
    if spec.on_due:
        planned.append((due_on, Step.DUE))
    if spec.escalate:
        planned.append(((window_end or due_on) + datetime.timedelta(days=1), Step.ESCALATION))
    return sorted(planned, key=lambda item: item[0])


def first_stage(planned: list, today: datetime.date) -> int:
    """A new deadline skips the steps already in the past (a report due in 21 days gets no 30-day reminder). An
    obligation already missed when it is created keeps its escalation, sent at the next sweep; an event already
    past has nothing left (len(planned))."""
    stage = next((index for index, (day, _step) in enumerate(planned) if day >= today), len(planned))
    if stage == len(planned) and planned and planned[-1][1] == Step.ESCALATION:
        return len(planned) - 1
    return stage


def stage_to_run(planned: list, stage: int, today: datetime.date) -> int | None:
    """The step the sweep sends today from `stage` on: the latest one already reached (a sweep that ran late sends
    the 7-day reminder only, not a stale 30-day one too), or None when the next step is still to come."""
    reached = [index for index in range(stage, len(planned)) if planned[index][0] <= today]
    return reached[-1] if reached else None


def next_action_on(planned: list, stage: int) -> datetime.date | None:
    return planned[stage][0] if stage < len(planned) else None


@dataclass(frozen=True)
class Planned:
    kind: str
    number: int  # 1, 2… for the deadlines that recur (yearly self-assessments, the two central follow-ups)
    due_on: datetime.date
    actor: str = Actor.CANDIDATE
    window_start: datetime.date | None = None
    window_end: datetime.date | None = None


def label_schedule(
    *, starts_on: datetime.date, ends_on: datetime.date, central: bool, through_central: bool
) -> list[Planned]:
    """Every deadline a label brings, from its decision date D (= starts_on) and its last day (§3.8, §3.9, §3.10):

    - an independent local service: follow-up preparation at D + 12 months, follow-up audit at D + 18 months (window
      16–20), both surveys by then, a self-assessment every year;
    - a central service: preparation at D + 9 months, follow-up audits at D + 12 and D + 24 months (windows ± 2
      months, years N+1 and N+2);
    - a local labelled through its central service: no follow-up audit of its own, but both surveys within 18
      months and a yearly self-assessment;
    - every label: the renewal invitation 9 months before expiry, and expiry itself (the day after its last day).
    """
    months = lambda n: starts_on + relativedelta(months=n)  # noqa: E731
    planned = []
    if central:
        planned.append(Planned(DeadlineKind.FOLLOW_UP_PREPARATION, 1, months(9)))
        for number, at in ((1, 12), (2, 24)):
            planned.append(
                Planned(
                    DeadlineKind.FOLLOW_UP_AUDIT,
                    number,
                    months(at),
                    Actor.CANDIDATE,
                    months(at - 2),
                    months(at + 2),
                )
            )
    else:
        if not through_central:
            planned.append(Planned(DeadlineKind.FOLLOW_UP_PREPARATION, 1, months(12)))
            planned.append(
                Planned(DeadlineKind.FOLLOW_UP_AUDIT, 1, months(18), Actor.CANDIDATE, months(16), months(20))
            )
        planned.append(Planned(DeadlineKind.SURVEYS, 1, months(18)))
        for year in (1, 2):
            planned.append(Planned(DeadlineKind.SELF_ASSESSMENT, year, months(12 * year)))
    expires_on = ends_on + datetime.timedelta(days=1)
    planned.append(Planned(DeadlineKind.RENEWAL, 1, expires_on - relativedelta(months=9)))
    planned.append(Planned(DeadlineKind.EXPIRY, 1, expires_on))
    return planned
