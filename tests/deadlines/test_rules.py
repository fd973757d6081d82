"""The schedule of the label cycle and the steps of a deadline (pure functions, no database)."""

import datetime

import pytest

from labelsp.deadlines import rules
from labelsp.deadlines.enums import DeadlineKind, Step

D = datetime.date


def _by_kind(planned):
    return {(item.kind, item.number): item for item in planned}


def test_an_independent_local_label_schedule():
    planned = _by_kind(
        rules.label_schedule(
            starts_on=D(2027, 3, 15), ends_on=D(2030, 3, 14), central=False, through_central=False
        )
    )
    assert planned[(DeadlineKind.FOLLOW_UP_PREPARATION, 1)].due_on == D(2028, 3, 15)  # 12 months
    audit = planned[(DeadlineKind.FOLLOW_UP_AUDIT, 1)]
    assert (audit.window_start, audit.due_on, audit.window_end) == (
        D(2028, 7, 15),
        D(2028, 9, 15),
        D(2028, 11, 15),
    )
    assert planned[(DeadlineKind.SURVEYS, 1)].due_on == D(2028, 9, 15)
    assert [planned[(DeadlineKind.SELF_ASSESSMENT, n)].due_on for n in (1, 2)] == [
        D(2028, 3, 15),
        D(2029, 3, 15),
    ]
    # Expiry is the day after the last day; the renewal invitation 9 months before it.
    assert planned[(DeadlineKind.EXPIRY, 1)].due_on == D(2030, 3, 15)
    assert planned[(DeadlineKind.RENEWAL, 1)].due_on == D(2029, 6, 15)


def test_a_central_label_schedule_has_two_follow_ups_at_12_and_24_months():
    planned = _by_kind(
        rules.label_schedule(
            starts_on=D(2027, 1, 31), ends_on=D(2030, 1, 30), central=True, through_central=False
        )
    )
    assert planned[(DeadlineKind.FOLLOW_UP_PREPARATION, 1)].due_on == D(2027, 10, 31)  # 9 months
    first, second = planned[(DeadlineKind.FOLLOW_UP_AUDIT, 1)], planned[(DeadlineKind.FOLLOW_UP_AUDIT, 2)]
    assert (first.window_start, first.due_on, first.window_end) == (
        D(2027, 11, 30),
        D(2028, 1, 31),
        D(2028, 3, 31),
    )
    assert (second.window_start, second.due_on, second.window_end) == (
        D(2028, 11, 30),
        D(2029, 1, 31),
        D(2029, 3, 31),
    )
    assert (DeadlineKind.SURVEYS, 1) not in planned


def test_a_local_labelled_through_its_central_service_has_no_follow_up_audit_of_its_own():
    planned = _by_kind(
        rules.label_schedule(
            starts_on=D(2027, 3, 15), ends_on=D(2030, 3, 14), central=False, through_central=True
        )
    )
    assert (DeadlineKind.FOLLOW_UP_AUDIT, 1) not in planned
    assert planned[(DeadlineKind.SURVEYS, 1)].due_on == D(2028, 9, 15)  # both surveys within 18 months
    assert (DeadlineKind.SELF_ASSESSMENT, 2) in planned


def test_steps_of_an_obligation_and_of_an_event():
    due = D(2028, 9, 15)
    assert rules.steps(DeadlineKind.SURVEYS, due) == [
        (D(2028, 8, 16), Step.REMINDER_30),
        (D(2028, 9, 8), Step.REMINDER_7),
        (D(2028, 9, 16), Step.ESCALATION),
    ]
    assert rules.steps(DeadlineKind.RENEWAL, due) == [(due, Step.DUE)]
    # A windowed deadline escalates the day after its window's end, not after its nominal date.
    assert rules.steps(DeadlineKind.FOLLOW_UP_AUDIT, due, D(2028, 11, 15))[-1] == (
        D(2028, 11, 16),
        Step.ESCALATION,
    )


@pytest.mark.parametrize(
    ("today", "stage"),
    [
        (D(2028, 8, 16), 0),  # the 30-day reminder is today: kept
        (D(2028, 8, 17), 1),  # a day later: only the 7-day one is left
        (D(2028, 9, 9), 2),  # past both reminders: only the escalation
        (D(2028, 9, 16), 2),  # its escalation day
        (D(2028, 9, 17), 2),  # created already missed: the escalation is still sent, at the next sweep
    ],
)
def test_a_new_deadline_skips_the_steps_already_past(today, stage):
    assert rules.first_stage(rules.steps(DeadlineKind.SURVEYS, D(2028, 9, 15)), today) == stage


def test_an_event_already_past_has_no_step_left():
    planned = rules.steps(DeadlineKind.RENEWAL, D(2028, 9, 15))
    assert rules.first_stage(planned, D(2028, 9, 15)) == 0
    assert rules.first_stage(planned, D(2028, 9, 16)) == len(planned)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2028, 8, 15), None),  # day before the first reminder
        (D(2028, 8, 16), 0),  # day of the 30-day reminder
        (D(2028, 9, 8), 1),  # a late sweep sends the 7-day reminder, not a stale 30-day one too
        (D(2028, 9, 15), 1),  # due day: no step of its own for an obligation
        (D(2028, 9, 16), 2),  # the day after: escalation
    ],
)
def test_the_step_a_sweep_sends(today, expected):
    planned = rules.steps(DeadlineKind.SURVEYS, D(2028, 9, 15))
    assert rules.stage_to_run(planned, 0, today) == expected


def test_next_action_is_none_once_every_step_is_sent():
    planned = rules.steps(DeadlineKind.REPORT, D(2028, 9, 15))
    assert rules.next_action_on(planned, 0) == D(2028, 9, 8)
    assert rules.next_action_on(planned, len(planned)) is None
