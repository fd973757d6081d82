"""The pure rules of the candidate side, at their boundaries (no database)."""

import datetime

import pytest

from candidates import rules
from candidates.enums import LocalServiceKind as K
from candidates.enums import PerimeterDomain as D

d = datetime.date
AUDIT = d(2027, 3, 10)


# --- Perimeter (§1.4.2) -----------------------------------------------------------------------------------------


def test_a_commune_is_offered_its_socle_and_optional_domains_only():
    offered = rules.offered_domains(K.COMMUNE)
    assert offered[:4] == [D.GENERAL_RECEPTION, D.CIVIL_STATUS, D.TITLES, D.POPULATION_SERVICES]
    assert D.MUNICIPAL_POLICE in offered
    assert D.MOBILITY not in offered  # a région's domain


def test_services_that_are_not_local_authorities_have_no_perimeter_form():
    assert rules.offered_domains(K.STATE_DECONCENTRATED) == []
    assert rules.perimeter_problems(K.PUBLIC_HOSPITAL, set()) == []


def test_a_commune_perimeter_needs_its_whole_socle():
    assert (
        rules.perimeter_problems(
            K.COMMUNE, {D.GENERAL_RECEPTION, D.CIVIL_STATUS, D.TITLES, D.POPULATION_SERVICES}
        )
        == []
    )
    problems = rules.perimeter_problems(K.COMMUNE, {D.GENERAL_RECEPTION, D.TITLES, D.POPULATION_SERVICES})
    assert problems == ["Le socle doit comprendre : État civil."]


@pytest.mark.parametrize(
    ("kind", "one_of"),
    [
        (K.EPCI, D.URBAN_SERVICES),
        (K.DEPARTEMENT, D.SOLIDARITY),
        (K.REGION, D.TRAINING_EMPLOYMENT),
        (K.SPECIAL_STATUS_AUTHORITY, D.EARLY_CHILDHOOD),
    ],
)
def test_other_authorities_need_general_reception_and_one_public_action_domain(kind, one_of):
    assert rules.perimeter_problems(kind, {D.GENERAL_RECEPTION, one_of}) == []
    without_domain = rules.perimeter_problems(kind, {D.GENERAL_RECEPTION})
    assert len(without_domain) == 1 and without_domain[0].startswith(
        "Le socle doit comprendre au moins un domaine"
    )
    without_reception = rules.perimeter_problems(kind, {one_of})
    assert without_reception == [
        "Le socle doit comprendre : Accueil général, tous canaux de contact confondus."
    ]


def test_a_domain_of_another_kind_of_authority_is_refused():
    problems = rules.perimeter_problems(K.DEPARTEMENT, {D.GENERAL_RECEPTION, D.SOLIDARITY, D.MOBILITY})
    assert problems == [
        "Ces domaines ne relèvent pas de votre catégorie de collectivité : Mobilités et transport."
    ]


# --- Dates of the file (§3.1, §3.4, §3.5) ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("self_assessment", "ok"),
    [
        (d(2026, 3, 10), True),  # exactly 12 months before: allowed
        (d(2026, 3, 9), False),  # 12 months and a day
        (d(2027, 3, 10), True),  # on the audit day
        (d(2027, 3, 11), False),  # after the audit
    ],
)
def test_self_assessment_within_12_months_before_the_audit(self_assessment, ok):
    assert (rules.self_assessment_problem(self_assessment, AUDIT) is None) is ok


def test_self_assessment_message_gives_the_first_allowed_date():
    assert "10 mars 2026" in rules.self_assessment_problem(d(2026, 3, 9), AUDIT)


@pytest.mark.parametrize(
    ("closed", "ok"),
    [
        (d(2026, 9, 10), False),  # exactly 6 months old at the audit: too old
        (d(2026, 9, 11), True),  # 6 months minus a day
        (d(2027, 3, 10), True),
        (d(2027, 3, 11), False),  # closed after the audit
    ],
)
def test_surveys_of_an_initial_audit_are_less_than_6_months_old(closed, ok):
    assert (rules.survey_problem(closed, AUDIT, initial=True) is None) is ok


def test_older_surveys_are_fine_for_a_follow_up_audit():
    assert rules.survey_problem(d(2025, 1, 1), AUDIT, initial=False) is None


@pytest.mark.parametrize(
    ("submitted", "ok"),
    [
        (d(2027, 5, 15), True),  # 31 days before a 15 June audit: one calendar month, the last day
        (d(2027, 5, 16), False),  # 30 days before
    ],
)
def test_file_submitted_at_least_one_month_before_the_audit(submitted, ok):
    assert rules.latest_submission_date(d(2027, 6, 15)) == d(2027, 5, 15)
    assert (rules.submission_problem(submitted, d(2027, 6, 15)) is None) is ok


@pytest.mark.parametrize(
    ("today", "allowed"),
    [(d(2026, 7, 14), False), (d(2026, 7, 15), True)],
)
def test_new_application_six_full_months_after_a_refusal(today, allowed):
    assert (today >= rules.new_application_allowed_from(d(2026, 1, 15))) is allowed


@pytest.mark.parametrize(
    ("since", "ok"),
    [(d(2026, 9, 10), True), (d(2026, 9, 11), False)],
)
def test_quality_indicators_in_place_for_6_months(since, ok):
    assert (rules.indicators_problem(since, AUDIT) is None) is ok


def test_follow_up_file_needs_self_assessment_and_surveys_after_the_initial_audit():
    initial = d(2026, 1, 20)
    assert (
        rules.follow_up_problems(
            previous_audit=initial,
            self_assessment=d(2026, 9, 1),
            user_survey=d(2027, 1, 5),
            agent_survey=d(2027, 1, 5),
        )
        == []
    )
    problems = rules.follow_up_problems(
        previous_audit=initial,
        self_assessment=initial,
        user_survey=d(2027, 1, 5),
        agent_survey=d(2025, 12, 1),
    )
    assert len(problems) == 2


def test_contract_covers_three_years():
    assert rules.contract_cycle_end(d(2026, 1, 1)) == d(2028, 12, 31)
