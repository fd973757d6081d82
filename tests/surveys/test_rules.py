"""Survey rules at their boundaries (§3.4), without the database."""

from fractions import Fraction

import pytest

from surveys import rules
from surveys.enums import SurveyKind


@pytest.mark.parametrize(
    ("complete", "answered", "questions", "admissible"),
    [
        (True, 8, 15, True),  # 53 %
        (True, 7, 15, False),  # 47 %
        (True, 6, 11, True),  # 54.5 %
        (True, 5, 10, False),  # exactly 50 %: not « more than 50 % »
        (True, 6, 10, True),
        (False, 15, 15, False),  # not finished
    ],
)
def test_admissible_questionnaire(complete, answered, questions, admissible):
    assert rules.is_admissible(complete=complete, answered=answered, question_count=questions) is admissible


@pytest.mark.parametrize(
    ("admissible", "solicited", "valid"),
    [
        (50, 1000, True),  # 50 admissible, 5 %
        (49, 980, False),  # 49 admissible (5 %)
        (50, 1001, False),  # 4.995 %
        (499, 10000, False),  # 4.99 %
        (500, 10000, True),  # 5 %
    ],
)
def test_user_survey_validity(admissible, solicited, valid):
    assert rules.user_survey_validity(admissible=admissible, solicited=solicited).is_valid is valid


@pytest.mark.parametrize(
    ("agents", "admissible", "valid"),
    [
        (49, 25, True),  # N < 50: 50 %
        (49, 24, False),
        (50, 30, True),  # 50 ≤ N ≤ 300: 30 % and 30 admissible
        (50, 29, False),
        (300, 90, True),
        (300, 89, False),
        (100, 30, True),
        (301, 50, True),  # N > 300: 10 % and 50 admissible
        (301, 49, False),
        (1000, 99, False),
        (1000, 100, True),
    ],
)
def test_agent_survey_validity(agents, admissible, valid):
    assert rules.agent_survey_validity(admissible=admissible, agents=agents).is_valid is valid


def test_missing_counts_the_admissible_answers_still_needed():
    assert rules.user_survey_validity(admissible=30, solicited=2000).missing == 70  # 5 % of 2000 = 100
    assert rules.user_survey_validity(admissible=30, solicited=400).missing == 20  # the 50 minimum
    assert rules.agent_survey_validity(admissible=10, agents=40).missing == 10  # 50 % of 40
    assert rules.agent_survey_validity(admissible=0, agents=0).is_valid is False
    validity = rules.user_survey_validity(admissible=60, solicited=1000)
    assert (validity.missing, validity.rate) == (0, Fraction(6, 100))


def test_user_scores_average_the_9_notes_with_equal_weight():
    # Commitment 1: two questions (1.0 and 0.5) → 75; commitments 2–8 and satisfaction at 0.5 → 50.
    groups = {
        "U1a": "1",
        "U1b": "1",
        "U2": "2",
        "U3": "3",
        "U4": "4",
        "U5": "5",
        "U6": "6",
        "U7": "7",
        "U8": "8",
        "U9": "satisfaction",
    }
    means = {code: 0.5 for code in groups} | {"U1a": 1.0}
    scores = rules.compute_scores(SurveyKind.USERS, question_means=means, groups=groups)
    assert scores.by_group["1"] == pytest.approx(75)
    assert scores.global_score == pytest.approx((75 + 8 * 50) / 9)


def test_a_question_without_any_answer_is_left_out_of_its_commitment():
    groups = {"U1a": "1", "U1b": "1", "U9": "satisfaction"}
    scores = rules.compute_scores(
        SurveyKind.USERS, question_means={"U1a": 0.75, "U1b": None, "U9": 0.25}, groups=groups
    )
    assert scores.by_group == {"1": pytest.approx(75), "satisfaction": pytest.approx(25)}
    assert scores.global_score == pytest.approx(50)


def test_agent_score_is_the_mean_of_the_question_notes():
    means = {f"A{i}": (1.0 if i <= 5 else 0.25) for i in range(1, 12)}
    scores = rules.compute_scores(SurveyKind.AGENTS, question_means=means, groups={c: c for c in means})
    assert scores.global_score == pytest.approx(100 * (5 * 1.0 + 6 * 0.25) / 11)


@pytest.mark.parametrize(
    ("kind", "score", "secures"),
    [
        (SurveyKind.USERS, 69.99, False),
        (SurveyKind.USERS, 70, True),
        (SurveyKind.AGENTS, 49.99, False),
        (SurveyKind.AGENTS, 50, True),
        (SurveyKind.USERS, None, False),
    ],
)
def test_bronze_minimum(kind, score, secures):
    assert rules.secures_bronze(kind, score) is secures


def test_new_campaign_six_months_after_closing():
    import datetime

    assert rules.new_campaign_allowed_from(datetime.date(2026, 3, 31)) == datetime.date(2026, 9, 30)
