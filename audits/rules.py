"""Pure rules of the audits (guide §3.3, §3.6, §3.7; DOMAIN.md « Audit grading » and « Sampling »).
No database: plain values in, plain values out.

Each interpretation of the guide lives in exactly one function here, with its test in tests/audits/test_rules.py.
"""

import datetime
import math
import random
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache

import holidays

# --- Grading (§3.7) ----------------------------------------------------------------------------------------------

# A local checkpoint: not met / initiated / mostly met / fully met and applied.
LOCAL_POINTS = (0.0, 0.25, 0.75, 1.0)
# A central checkpoint: no / yes.
CENTRAL_POINTS = (0.0, 1.0)
# A central audit passes with at least 75 % of its checkpoints validated.
CENTRAL_PASS_SHARE = 0.75
# For a follow-up audit, the checkpoints graded below this at the previous audit are highlighted.
FOLLOW_UP_HIGHLIGHT_BELOW = 0.75


def section_scores(points: Mapping[Hashable, float | None], sections: Mapping[Hashable, Hashable]) -> dict:
    """Each section's score (a commitment 1–8, or the « Or » criteria) = 100 × the mean of its checkpoints'
    points (interpretation, DOMAIN.md). `points` maps a checkpoint to its points, None while ungraded;
    `sections` maps every checkpoint of the grid to its section. A section with an ungraded checkpoint has
    no score yet (None): a partial mean would read as a result."""
    by_section: dict = {}
    for checkpoint, section in sections.items():
        by_section.setdefault(section, []).append(points.get(checkpoint))
    return {
        section: None if any(value is None for value in values) else 100 * sum(values) / len(values)
        for section, values in by_section.items()
    }


def running_scores(points: Mapping[Hashable, float | None], sections: Mapping[Hashable, Hashable]) -> dict:
    """What the tablet shows while grading: each section's mean over the checkpoints graded so far (× 100), and
    how many are graded out of how many. None when nothing is graded yet."""
    result: dict = {}
    for checkpoint, section in sections.items():
        entry = result.setdefault(section, {"graded": 0, "total": 0, "sum": 0.0})
        entry["total"] += 1
        value = points.get(checkpoint)
        if value is not None:
            entry["graded"] += 1
            entry["sum"] += value
    return {
        section: {
            "score": None if entry["graded"] == 0 else 100 * entry["sum"] / entry["graded"],
            "graded": entry["graded"],
            "total": entry["total"],
        }
        for section, entry in result.items()
    }


@dataclass(frozen=True)
class CentralResult:
    validated: int
    total: int
    share: float | None  # validated / total, None while a checkpoint is ungraded
    passes: bool


def central_result(points: Iterable[float | None]) -> CentralResult:
    """Central audit: share of checkpoints validated (yes = 1); passes at 75 % or more (§3.9.2)."""
    values = list(points)
    validated = sum(1 for value in values if value == 1.0)
    if not values or any(value is None for value in values):
        return CentralResult(validated, len(values), None, False)
    share = validated / len(values)
    # Compared on integers: 3 of 4 is exactly 75 %, with no floating-point doubt.
    return CentralResult(validated, len(values), share, 4 * validated >= 3 * len(values))


def highlighted_for_follow_up(previous_points: Mapping[Hashable, float | None]) -> set:
    """The checkpoints to highlight in a follow-up audit: graded below 0.75 at the previous audit."""
    return {
        checkpoint
        for checkpoint, value in previous_points.items()
        if value is not None and value < FOLLOW_UP_HIGHLIGHT_BELOW
    }


# --- Sampling (§3.3, §3.6) --------------------------------------------------------------------------------------


def sample_size(population: int) -> int:
    """At least ⌈√n⌉ of the n local services attached to a central candidate (§3.3): 1 → 1, 2 → 2, 30 → 6,
    31 → 6, 36 → 6, 37 → 7. Computed on integers (math.isqrt), never on a rounded square root."""
    if population <= 0:
        return 0
    root = math.isqrt(population)
    return root if root * root == population else root + 1


def draw(population: Iterable[str], size: int, seed: str) -> list[str]:
    """A reproducible random draw: `size` members of `population` (identifiers as text), in draw order.

    Anyone can re-run it with Python 3 and the recorded values:
        random.Random(seed).sample(sorted(population), size)
    The population is sorted first, so the order in which it was listed does not matter; a text seed is hashed
    by SHA-512 (Python's seeding version 2), stable across Python versions and platforms.
    """
    members = sorted(set(population))
    if size > len(members):
        raise ValueError(f"cannot draw {size} of {len(members)}")
    return random.Random(seed).sample(members, size)  # noqa: S311 -- a public, reproducible draw, not a secret


# --- French working days (§3.6: the audit plan 10 working days before the visit) -------------------------------

PLAN_NOTICE_WORKING_DAYS = 10


@cache
def _french_holidays(year: int) -> frozenset[datetime.date]:
    """Metropolitan France's public holidays (the `holidays` library, maintained yearly)."""
    return frozenset(holidays.France(years=year))


def is_working_day(day: datetime.date) -> bool:
    """Monday to Friday, except French public holidays."""
    return day.weekday() < 5 and day not in _french_holidays(day.year)


def add_working_days(start: datetime.date, count: int) -> datetime.date:
    """The `count`-th working day after `start` (`start` itself never counts)."""
    day = start
    remaining = count
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start`, up to and including `end` (0 when `end` is not after `start`)."""
    count, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        count += is_working_day(day)
    return count


def first_visit_day(plan_sent_on: datetime.date) -> datetime.date:
    """The earliest visit for a plan sent on `plan_sent_on`: at least 10 French working days later (§3.6).

    Interpretation: the 10 working days are counted after the sending day, the visit day being the tenth at
    the earliest — a plan sent on Monday 2 November 2026 allows a visit from Tuesday 17 November, because
    Wednesday 11 November is a public holiday (without it, Monday 16 November)."""
    return add_working_days(plan_sent_on, PLAN_NOTICE_WORKING_DAYS)


def latest_plan_day(visit_on: datetime.date) -> datetime.date:
    """The last day the plan may be sent for a visit on `visit_on` (the inverse of `first_visit_day`)."""
    day = visit_on - datetime.timedelta(days=1)
    while first_visit_day(day) > visit_on:
        day -= datetime.timedelta(days=1)
    return day


def visit_allowed(plan_sent_on: datetime.date, visit_on: datetime.date) -> bool:
    return visit_on >= first_visit_day(plan_sent_on)


# --- After the visit (§3.7.1) -----------------------------------------------------------------------------------

REPORT_DAYS_AFTER_VISIT = 21
OBSERVATION_DAYS_AFTER_RECEIPT = 10


def report_due(visit_end: datetime.date) -> datetime.date:
    """The report reaches the candidate within 21 days of the visit (§3.7.1). Interpretation: calendar days
    counted from the last day of the visit."""
    return visit_end + datetime.timedelta(days=REPORT_DAYS_AFTER_VISIT)


def observations_due(received_on: datetime.date) -> datetime.date:
    """The candidate's last day to send observations (or, for a central candidate, corrective actions): 10 days
    after receiving the report (§3.7.1, §3.9.2). Interpretation: calendar days; the report is received the day the
    platform sends it."""
    return received_on + datetime.timedelta(days=OBSERVATION_DAYS_AFTER_RECEIPT)
