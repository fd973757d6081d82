"""The audits' pure rules at their boundaries: scores, the reproducible draw, French working days."""

import datetime
import random

import pytest

from audits import rules

D = datetime.date


# --- Scores -------------------------------------------------------------------------------------------------------


def test_a_commitment_score_is_100_times_the_mean_of_its_checkpoints():
    sections = {"1.1": "1", "1.2": "1", "1.3": "1", "2.1": "2", "or.1": "or", "or.2": "or"}
    points = {"1.1": 1.0, "1.2": 0.25, "1.3": 0.75, "2.1": 0.0, "or.1": 1.0, "or.2": 0.75}
    # By hand: (1 + 0.25 + 0.75) / 3 = 0.6667 → 66.67; 0 → 0; (1 + 0.75) / 2 → 87.5.
    scores = rules.section_scores(points, sections)
    assert scores["1"] == pytest.approx(200 / 3)
    assert scores["2"] == 0
    assert scores["or"] == pytest.approx(87.5)


def test_a_section_with_an_ungraded_checkpoint_has_no_score_yet():
    sections = {"1.1": "1", "1.2": "1", "2.1": "2"}
    assert rules.section_scores({"1.1": 1.0, "2.1": 1.0}, sections) == {"1": None, "2": 100.0}


def test_running_scores_count_what_is_graded_so_far():
    sections = {"1.1": "1", "1.2": "1", "1.3": "1", "2.1": "2"}
    running = rules.running_scores({"1.1": 1.0, "1.2": 0.25}, sections)
    assert running["1"] == {"score": pytest.approx(62.5), "graded": 2, "total": 3}
    assert running["2"] == {"score": None, "graded": 0, "total": 1}


@pytest.mark.parametrize(
    ("yes", "total", "passes"),
    [(3, 4, True), (2, 4, False), (74, 100, False), (75, 100, True), (15, 20, True), (14, 20, False)],
)
def test_a_central_audit_passes_at_75_percent_validated(yes, total, passes):
    result = rules.central_result([1.0] * yes + [0.0] * (total - yes))
    assert (result.validated, result.total, result.passes) == (yes, total, passes)
    assert result.share == pytest.approx(yes / total)


def test_a_central_audit_with_an_ungraded_checkpoint_does_not_pass_yet():
    result = rules.central_result([1.0, 1.0, 1.0, None])
    assert (result.share, result.passes) == (None, False)


def test_follow_up_highlights_the_checkpoints_below_075():
    previous = {"a": 0.0, "b": 0.25, "c": 0.75, "d": 1.0, "e": None}
    assert rules.highlighted_for_follow_up(previous) == {"a", "b"}


# --- Sampling -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "size"),
    [(0, 0), (1, 1), (2, 2), (4, 2), (5, 3), (9, 3), (30, 6), (31, 6), (36, 6), (37, 7), (10**6, 1000)],
)
def test_sample_size_is_the_ceiling_of_the_square_root(n, size):
    assert rules.sample_size(n) == size


def test_the_same_seed_draws_the_same_sample_whatever_the_listing_order():
    population = [f"local-{i}" for i in range(31)]
    first = rules.draw(population, 6, "graine-2026")
    shuffled = list(population)
    random.Random(1).shuffle(shuffled)
    assert rules.draw(shuffled, 6, "graine-2026") == first
    assert len(set(first)) == 6 and set(first) <= set(population)
    # The recipe given to anyone who wants to check it.
    assert random.Random("graine-2026").sample(sorted(population), 6) == first
    assert rules.draw(population, 6, "autre-graine") != first


def test_a_draw_larger_than_the_population_is_refused():
    with pytest.raises(ValueError):
        rules.draw(["a", "b"], 3, "graine")


# --- French working days ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 5, 1), False),  # Fête du travail (a Friday)
        (D(2026, 5, 8), False),  # Victoire 1945
        (D(2026, 5, 14), False),  # Ascension
        (D(2026, 5, 25), False),  # Lundi de Pentecôte
        (D(2026, 7, 14), False),  # Fête nationale
        (D(2026, 11, 11), False),  # Armistice
        (D(2026, 11, 21), False),  # a Saturday
        (D(2026, 11, 23), True),  # a Monday
    ],
)
def test_working_days_exclude_weekends_and_french_public_holidays(day, working):
    assert rules.is_working_day(day) is working


def test_a_plan_sent_just_before_1_may_pushes_the_visit_by_the_holidays():
    # Sent on Thursday 30 April 2026: 1 May, 8 May and 14 May (Ascension) are holidays.
    # Mon 4, Tue 5, Wed 6, Thu 7, Mon 11, Tue 12, Wed 13, Fri 15, Mon 18, Tue 19 → the tenth is Tue 19 May.
    first = rules.first_visit_day(D(2026, 4, 30))
    assert first == D(2026, 5, 19)
    assert rules.visit_allowed(D(2026, 4, 30), D(2026, 5, 19))
    assert not rules.visit_allowed(D(2026, 4, 30), D(2026, 5, 18))
    assert rules.working_days_between(D(2026, 4, 30), D(2026, 5, 19)) == 10
    assert rules.working_days_between(D(2026, 4, 30), D(2026, 5, 18)) == 9


def test_a_plan_sent_just_before_14_july():
    # Sent on Monday 13 July 2026; Tuesday 14 July is a holiday: 15, 16, 17, 20, 21, 22, 23, 24, 27, 28.
    assert rules.first_visit_day(D(2026, 7, 13)) == D(2026, 7, 28)
    assert not rules.visit_allowed(D(2026, 7, 13), D(2026, 7, 27))


def test_without_a_holiday_ten_working_days_are_two_weeks():
    assert rules.first_visit_day(D(2026, 11, 2)) == D(2026, 11, 17)  # 11 November in between
    assert rules.first_visit_day(D(2026, 11, 16)) == D(2026, 11, 30)
    assert rules.working_days_between(D(2026, 11, 30), D(2026, 11, 16)) == 0


def test_the_report_is_due_21_calendar_days_after_the_last_day_of_the_visit():
    assert rules.report_due(D(2026, 6, 10)) == D(2026, 7, 1)
    # Calendar days: a public holiday or a weekend changes nothing (14 July in the window).
    assert rules.report_due(D(2026, 7, 1)) == D(2026, 7, 22)


def test_observations_are_due_10_calendar_days_after_the_report_is_received():
    assert rules.observations_due(D(2026, 12, 24)) == D(2027, 1, 3)
    assert rules.observations_due(D(2026, 2, 20)) == D(2026, 3, 2)
