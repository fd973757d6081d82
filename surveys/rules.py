"""The survey rules of the guide (§3.4), as pure functions: admissibility, validity, scores.

Interpretations (DOMAIN.md): a question's note is the mean of its non-NSP answers over the admissible
questionnaires; a commitment's note is the mean of its questions' notes; notes and scores are × 100.
"""

import datetime
import math
from dataclasses import dataclass
from fractions import Fraction

from dateutil.relativedelta import relativedelta

from surveys.enums import SurveyKind

USER_MIN_ADMISSIBLE = 50
USER_MIN_RATE = Fraction(5, 100)
# Agents: (upper bound of N, inclusive, or None), minimum rate, minimum admissible questionnaires.
AGENT_BANDS = (
    (49, Fraction(50, 100), 0),
    (300, Fraction(30, 100), 30),
    (None, Fraction(10, 100), 50),
)
BRONZE_MINIMUM = {SurveyKind.USERS: 70, SurveyKind.AGENTS: 50}
NEW_CAMPAIGN_AFTER = relativedelta(months=6)


def is_admissible(*, complete: bool, answered: int, question_count: int) -> bool:
    """Complete, and MORE than 50 % of its questions answered other than NSP (§3.4): 50 % exactly is not."""
    return complete and 2 * answered > question_count


@dataclass(frozen=True)
class Validity:
    is_valid: bool
    rate: Fraction | None  # admissible / solicited
    required_rate: Fraction
    required_admissible: int
    missing: int  # how many more admissible questionnaires make the campaign valid (0 when valid)


def _validity(admissible: int, solicited: int, required_rate: Fraction, required_admissible: int) -> Validity:
    needed = (
        max(required_admissible, math.ceil(required_rate * solicited)) if solicited else required_admissible
    )
    rate = Fraction(admissible, solicited) if solicited else None
    valid = solicited > 0 and admissible >= required_admissible and rate >= required_rate
    return Validity(
        valid, rate, required_rate, required_admissible, 0 if valid else max(0, needed - admissible)
    )


def user_survey_validity(*, admissible: int, solicited: int) -> Validity:
    """Valid with at least 50 admissible questionnaires and a return rate of at least 5 % (§3.4.1)."""
    return _validity(admissible, solicited, USER_MIN_RATE, USER_MIN_ADMISSIBLE)


def agent_band(agents: int) -> tuple[Fraction, int]:
    for upper, rate, minimum in AGENT_BANDS:
        if upper is None or agents <= upper:
            return rate, minimum
    raise AssertionError("unreachable")


def agent_survey_validity(*, admissible: int, agents: int) -> Validity:
    """N < 50: rate ≥ 50 %; 50 ≤ N ≤ 300: rate ≥ 30 % and ≥ 30 admissible; N > 300: rate ≥ 10 % and ≥ 50 (§3.4.2)."""
    rate, minimum = agent_band(agents)
    return _validity(admissible, agents, rate, minimum)


def survey_validity(kind: str, *, admissible: int, population: int) -> Validity:
    if kind == SurveyKind.USERS:
        return user_survey_validity(admissible=admissible, solicited=population)
    return agent_survey_validity(admissible=admissible, agents=population)


def _mean(values):
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


@dataclass(frozen=True)
class Scores:
    """Scores out of 100; None where no admissible answer exists yet."""

    global_score: float | None
    by_group: dict  # commitment number (or "satisfaction") → note; agents: question code → note
    by_question: dict  # question code → note


def compute_scores(
    kind: str, *, question_means: dict[str, float | None], groups: dict[str, str | int]
) -> Scores:
    """From each question's mean points (0–1, over non-NSP answers of admissible questionnaires), the notes (§3.4).

    Users: a commitment's note is the mean of its questions' notes; the global score is the mean of the
    9 notes (8 commitments + global satisfaction). Agents: the global score is the mean of the 11 question notes.
    `groups` maps each question code to its commitment number, or "satisfaction".
    """
    by_question = {code: (None if mean is None else 100 * mean) for code, mean in question_means.items()}
    if kind == SurveyKind.AGENTS:
        return Scores(_mean(by_question.values()), dict(by_question), by_question)
    by_group: dict = {}
    for code, note in by_question.items():
        by_group.setdefault(groups[code], []).append(note)
    notes = {group: _mean(values) for group, values in by_group.items()}
    return Scores(_mean(notes.values()), notes, by_question)


def secures_bronze(kind: str, global_score: float | None) -> bool:
    """Whether a survey's score reaches the first tier's minimum (users 70, agents 50)."""
    return global_score is not None and global_score >= BRONZE_MINIMUM[SurveyKind(kind)]


def new_campaign_allowed_from(closed_on: datetime.date) -> datetime.date:
    """After a campaign that cannot secure Bronze, a new one is allowed 6 months after its closing (§3.4)."""
    return closed_on + NEW_CAMPAIGN_AFTER
