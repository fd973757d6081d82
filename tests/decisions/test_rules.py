"""The decision rules (issue #6, « Decision engine »), at every boundary, without the database."""

import itertools

import pytest

from decisions import rules
from decisions.enums import FollowUpOutcome, Tier

ALL_OR = {code: 100.0 for code in rules.COMMITMENTS}


def _tier(commitments=None, or_criteria=100.0, agents=100.0, users=100.0):
    return rules.local_tier(
        commitments=commitments or ALL_OR, or_criteria=or_criteria, agents=agents, users=users
    ).tier


@pytest.mark.parametrize(
    ("commitment_4", "expected"),
    [
        (49.99, None),
        (50, Tier.BRONZE),
        (64.99, Tier.BRONZE),
        (65, Tier.ARGENT),
        (79.99, Tier.ARGENT),
        (80, Tier.OR),
    ],
)
def test_each_commitment_at_its_boundaries(commitment_4, expected):
    assert _tier({**ALL_OR, "4": commitment_4}) == expected


@pytest.mark.parametrize(
    ("agents", "expected"),
    [
        (49.99, None),
        (50, Tier.BRONZE),
        (64.99, Tier.BRONZE),
        (65, Tier.ARGENT),
        (79.99, Tier.ARGENT),
        (80, Tier.OR),
    ],
)
def test_the_agent_survey_at_its_boundaries(agents, expected):
    assert _tier(agents=agents) == expected


@pytest.mark.parametrize(
    ("users", "expected"),
    [
        (69.99, None),
        (70, Tier.BRONZE),
        (79.99, Tier.BRONZE),
        (80, Tier.ARGENT),
        (89.99, Tier.ARGENT),
        (90, Tier.OR),
    ],
)
def test_the_user_survey_at_its_boundaries(users, expected):
    assert _tier(users=users) == expected


@pytest.mark.parametrize(
    ("or_criteria", "expected"), [(79.99, Tier.ARGENT), (80, Tier.OR), (None, Tier.ARGENT)]
)
def test_or_also_needs_the_or_criteria_at_80(or_criteria, expected):
    assert _tier(or_criteria=or_criteria) == expected


def test_a_missing_score_reaches_nothing():
    assert _tier({**ALL_OR, "8": None}) is None
    assert _tier(users=None) is None


def test_floating_point_noise_does_not_cost_a_tier_but_a_real_shortfall_does():
    assert rules.reaches(65 - 1e-12, 65)
    assert not rules.reaches(65 - 1e-6, 65)
    assert _tier({**ALL_OR, "2": 49.995}) is None


def test_exhaustively_the_tier_is_the_highest_whose_every_condition_holds():
    levels = [49.99, 50, 65, 80]
    user_levels = [69.99, 70, 80, 90]

    def expected(values, or_criteria, agents, users):
        best = None
        for tier, limits in rules.THRESHOLDS.items():
            ok = (
                min(values) >= limits.commitments
                and agents >= limits.agents
                and users >= limits.users
                and (limits.or_criteria is None or or_criteria >= limits.or_criteria)
            )
            if ok:
                best = tier
        return best

    for low, or_criteria, agents, users in itertools.product(levels, [79.99, 80], levels, user_levels):
        commitments = {**ALL_OR, "3": low}
        decision = rules.local_tier(
            commitments=commitments, or_criteria=or_criteria, agents=agents, users=users
        )
        assert decision.tier == expected(commitments.values(), or_criteria, agents, users)
        # Every tier's checks are shown, and the awarded tier's all pass.
        assert set(decision.checks) == set(Tier)
        if decision.tier:
            assert all(check.passes for check in decision.checks[decision.tier])


def test_the_checks_name_what_fails():
    decision = rules.local_tier(commitments={**ALL_OR, "4": 60}, or_criteria=90, agents=90, users=95)
    assert decision.tier == Tier.BRONZE
    failing = [check.label for check in decision.checks[Tier.ARGENT] if not check.passes]
    assert failing == ["Engagement 4 (audit)"]
    assert len(decision.checks[Tier.OR]) == 11 and len(decision.checks[Tier.BRONZE]) == 10


# --- Central services ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("audited", "labelled", "ok"),
    [(3, 2, False), (3, 3, True), (4, 2, False), (4, 3, True), (7, 5, False), (7, 6, True), (0, 0, False)],
)
def test_at_least_75_percent_of_audited_locals_labelled_rounded_up(audited, labelled, ok):
    assert rules.enough_locals_labelled(audited, labelled) is ok
    if audited:
        assert rules.locals_needed(audited) == {3: 3, 4: 3, 7: 6}[audited]


@pytest.mark.parametrize(
    ("tiers", "expected"),
    [
        ([Tier.OR, Tier.OR, Tier.BRONZE], Tier.OR),
        ([Tier.OR, Tier.ARGENT], Tier.ARGENT),  # tie: the lower one
        ([Tier.OR, Tier.OR, Tier.ARGENT, Tier.ARGENT, Tier.BRONZE], Tier.ARGENT),
        ([Tier.BRONZE, Tier.OR, Tier.ARGENT], Tier.BRONZE),
        ([Tier.ARGENT, Tier.ARGENT, Tier.OR, Tier.OR, Tier.OR], Tier.OR),  # relative majority
        ([], None),
    ],
)
def test_the_central_tier_is_the_majority_tier_the_lower_on_a_tie(tiers, expected):
    assert rules.majority_tier(tiers) == expected


def _central(**overrides):
    values = {
        "audited": 3,
        "local_tiers": [Tier.ARGENT, Tier.ARGENT, Tier.OR],
        "self_assessments_complete": True,
        "central_audit_passes": True,
        "follow_up_surveys_ok": None,
    }
    return rules.central_decision(**{**values, **overrides})


def test_a_central_service_is_labelled_at_the_majority_tier_when_every_condition_holds():
    decision = _central()
    assert decision.tier == Tier.ARGENT
    assert len(decision.checks) == 3 and all(check.passes for check in decision.checks)


@pytest.mark.parametrize(
    "overrides",
    [
        {"local_tiers": [Tier.ARGENT, Tier.ARGENT, None]},  # 2 of 3: below ⌈75 %⌉
        {"self_assessments_complete": False},
        {"central_audit_passes": False},
        {"follow_up_surveys_ok": False},
    ],
)
def test_a_central_service_is_refused_when_one_condition_fails(overrides):
    decision = _central(**overrides)
    assert decision.tier is None
    assert [check.passes for check in decision.checks].count(False) == 1


# --- Follow-up outcomes --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("held", "reached", "outcome"),
    [
        (Tier.ARGENT, Tier.ARGENT, FollowUpOutcome.CONFIRM),
        (Tier.ARGENT, Tier.OR, FollowUpOutcome.UPGRADE),
        (Tier.ARGENT, Tier.BRONZE, FollowUpOutcome.ACTION_PLAN),
        (Tier.BRONZE, None, FollowUpOutcome.ACTION_PLAN),
        (Tier.OR, Tier.OR, FollowUpOutcome.CONFIRM),
        (Tier.BRONZE, Tier.OR, FollowUpOutcome.UPGRADE),
    ],
)
def test_follow_up_outcomes(held, reached, outcome):
    assert rules.follow_up_outcome(held, reached) == outcome


@pytest.mark.parametrize(
    ("audited", "tiers", "held", "expected"),
    [
        (3, [Tier.OR, Tier.OR], Tier.OR, FollowUpOutcome.MORE_LOCALS),  # 2 of 3 < ⌈2.25⌉ = 3
        (3, [Tier.OR, Tier.OR, Tier.OR], Tier.OR, FollowUpOutcome.CONFIRM),
        (4, [Tier.OR, Tier.OR], Tier.BRONZE, FollowUpOutcome.MORE_LOCALS),  # 2 of 4 < 3
        (4, [Tier.OR, Tier.OR, Tier.OR], Tier.ARGENT, FollowUpOutcome.UPGRADE),  # 3 of 4 = ⌈3⌉
        (7, [Tier.ARGENT] * 5, Tier.ARGENT, FollowUpOutcome.MORE_LOCALS),  # 5 of 7 < ⌈5.25⌉ = 6
        (
            7,
            [Tier.ARGENT] * 6,
            Tier.OR,
            FollowUpOutcome.ACTION_PLAN,
        ),  # enough locals, majority below the tier held
    ],
)
def test_central_follow_up_outcome(audited, tiers, held, expected):
    central = rules.central_decision(
        audited=audited,
        local_tiers=tiers + [None] * (audited - len(tiers)),
        self_assessments_complete=True,
        central_audit_passes=True,
        follow_up_surveys_ok=True,
    )
    assert rules.central_follow_up_outcome(held, central) == expected


def test_central_follow_up_with_enough_locals_but_a_failed_condition_calls_for_an_action_plan():
    central = rules.central_decision(
        audited=3,
        local_tiers=[Tier.OR] * 3,
        self_assessments_complete=True,
        central_audit_passes=False,
        follow_up_surveys_ok=True,
    )
    assert central.enough_locals and central.tier is None
    assert rules.central_follow_up_outcome(Tier.OR, central) == FollowUpOutcome.ACTION_PLAN
