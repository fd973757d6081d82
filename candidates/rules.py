"""Pure rules of the candidate side (guide §1.4.2, §3.1–§3.5, §3.9.1). No database: plain values in, plain values out.

Each interpretation of the guide lives in exactly one function here, with its test in tests/candidates/test_rules.py.
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from candidates.enums import LocalServiceKind, PerimeterDomain

K = LocalServiceKind
D = PerimeterDomain

# --- Perimeter of local authorities (§1.4.2) -----------------------------------------------------------------

# Every domain of the « socle » that the kind must cover.
SOCLE_REQUIRED = {
    K.COMMUNE: (D.GENERAL_RECEPTION, D.CIVIL_STATUS, D.TITLES, D.POPULATION_SERVICES),
    K.EPCI: (D.GENERAL_RECEPTION,),
    K.DEPARTEMENT: (D.GENERAL_RECEPTION,),
    K.REGION: (D.GENERAL_RECEPTION,),
    K.SPECIAL_STATUS_AUTHORITY: (D.GENERAL_RECEPTION,),
}
# The « socle » also holds at least one of these public-action domains.
SOCLE_ONE_OF = {
    K.EPCI: (D.SOCIAL_ACTION, D.EARLY_CHILDHOOD, D.URBANISM, D.URBAN_SERVICES),
    K.DEPARTEMENT: (D.SOLIDARITY, D.TERRITORIAL_PLANNING),
    K.REGION: (
        D.MOBILITY,
        D.ECONOMIC_DEVELOPMENT,
        D.TERRITORIAL_PLANNING,
        D.TRAINING_EMPLOYMENT,
        D.ENVIRONMENT,
    ),
}
# Interpretation: an authority with special status (Paris, Lyon, Marseille, Corsica, overseas…) defines its
# perimeter with its certification body "consistently with EPCI, départements and régions": general reception
# plus at least one of their public-action domains.
SOCLE_ONE_OF[K.SPECIAL_STATUS_AUTHORITY] = tuple(
    dict.fromkeys(SOCLE_ONE_OF[K.EPCI] + SOCLE_ONE_OF[K.DEPARTEMENT] + SOCLE_ONE_OF[K.REGION])
)
# Optional domains beyond the « socle ».
OPTIONAL = {
    K.COMMUNE: (D.SOCIAL_ACTION, D.EDUCATION_YOUTH, D.URBANISM, D.MUNICIPAL_POLICE, D.OTHER),
    K.EPCI: (D.OTHER,),
    K.DEPARTEMENT: (D.OTHER,),
    K.REGION: (D.OTHER,),
    K.SPECIAL_STATUS_AUTHORITY: (D.OTHER,),
}


def offered_domains(kind: str) -> list[str]:
    """The domains the perimeter form offers for a kind of local authority, in the guide's order ([] otherwise)."""
    if kind not in SOCLE_REQUIRED:
        return []
    return list(dict.fromkeys(SOCLE_REQUIRED[kind] + SOCLE_ONE_OF.get(kind, ()) + OPTIONAL[kind]))


def perimeter_problems(kind: str, domains: set[str]) -> list[str]:
    """What a declared perimeter lacks, in French sentences ([] when it holds its « socle »)."""
    if kind not in SOCLE_REQUIRED:
        return []
    problems = []
    offered = set(offered_domains(kind))
    foreign = sorted(domain for domain in domains if domain not in offered)
    if foreign:
        problems.append(
            _("Ces domaines ne relèvent pas de votre catégorie de collectivité : %(domains)s.")
            % {"domains": ", ".join(str(D(d).label) for d in foreign)}
        )
    missing = [D(d) for d in SOCLE_REQUIRED[kind] if d not in domains]
    if missing:
        problems.append(
            _("Le socle doit comprendre : %(domains)s.")
            % {"domains": ", ".join(str(d.label) for d in missing)}
        )
    one_of = SOCLE_ONE_OF.get(kind)
    if one_of and not domains.intersection(one_of):
        problems.append(
            _("Le socle doit comprendre au moins un domaine d’action publique parmi : %(domains)s.")
            % {"domains": ", ".join(str(D(d).label) for d in one_of)}
        )
    return problems


# --- Dates of the application file (§3.5.1, §1.3) --------------------------------------------------------------

SELF_ASSESSMENT_MAX_AGE = relativedelta(months=12)
SURVEY_MAX_AGE = relativedelta(months=6)
SUBMISSION_LEAD = relativedelta(months=1)
NEW_APPLICATION_AFTER_REFUSAL = relativedelta(months=6)
INDICATORS_MIN_AGE = relativedelta(months=6)
CONTRACT_CYCLE = relativedelta(years=3)


def _fr(date: datetime.date) -> str:
    return date_format(date, "j F Y")


def self_assessment_problem(self_assessment: datetime.date, audit: datetime.date) -> str | None:
    """The self-assessment is done within the 12 months before the audit (§3.1, §3.5.1).

    Interpretation: "within 12 months" includes the day twelve calendar months before the audit date.
    """
    if self_assessment > audit:
        return _("L’autodiagnostic doit précéder l’audit.")
    if self_assessment < audit - SELF_ASSESSMENT_MAX_AGE:
        return _(
            "L’autodiagnostic doit dater de 12 mois au plus avant l’audit, soit du %(date)s ou après."
        ) % {"date": _fr(audit - SELF_ASSESSMENT_MAX_AGE)}
    return None


def survey_problem(survey_closed: datetime.date, audit: datetime.date, *, initial: bool) -> str | None:
    """Survey results used for an initial audit are less than 6 months old at the audit date (§3.4, §3.5.1).

    Interpretation: "less than 6 months" is strict: results closed exactly six calendar months before the
    audit are too old. Other audits take the surveys done since the previous audit (see follow_up_problems).
    """
    if survey_closed > audit:
        return _("L’enquête doit être close avant l’audit.")
    if initial and survey_closed <= audit - SURVEY_MAX_AGE:
        return _(
            "Les résultats d’enquête doivent dater de moins de 6 mois à l’audit initial, soit après le %(date)s."
        ) % {"date": _fr(audit - SURVEY_MAX_AGE)}
    return None


def survey_results_expire_on(survey_closed: datetime.date) -> datetime.date:
    """The first audit day for which results closed on `survey_closed` are too old for an initial audit (the
    boundary of `survey_problem`). Closed on 31 March: still valid for an audit on 30 September (30 September − 6
    months is 30 March), too old from 1 October."""
    day = survey_closed + SURVEY_MAX_AGE
    while day - SURVEY_MAX_AGE < survey_closed:
        day += datetime.timedelta(days=1)
    return day


def latest_submission_date(audit_start: datetime.date) -> datetime.date:
    """The file is filed at least one month before the audit dates (§3.5.1): the last day it may be submitted."""
    return audit_start - SUBMISSION_LEAD


def submission_problem(submitted_on: datetime.date, audit_start: datetime.date) -> str | None:
    last_day = latest_submission_date(audit_start)
    if submitted_on > last_day:
        return _(
            "Le dossier doit être déposé au moins un mois avant les dates d’audit, soit au plus tard le %(date)s : "
            "proposez des dates d’audit plus tardives."
        ) % {"date": _fr(last_day)}
    return None


def new_application_allowed_from(refusal_notified_on: datetime.date) -> datetime.date:
    """After a refusal, a new application is possible once 6 full months have passed since the notification
    (§3.8.1 « période de 6 mois échus »): from the same day six months later."""
    return refusal_notified_on + NEW_APPLICATION_AFTER_REFUSAL


def indicators_problem(in_place_since: datetime.date, on: datetime.date) -> str | None:
    """Quality indicators are in place for at least 6 months (§3.5.1), counted at submission."""
    if in_place_since > on - INDICATORS_MIN_AGE:
        return _(
            "Les indicateurs de qualité doivent être en place depuis au moins 6 mois, soit depuis le %(date)s au plus tard."
        ) % {"date": _fr(on - INDICATORS_MIN_AGE)}
    return None


def follow_up_problems(
    *,
    previous_audit: datetime.date,
    self_assessment: datetime.date,
    user_survey: datetime.date,
    agent_survey: datetime.date,
) -> list[str]:
    """A follow-up file carries the self-assessment and both surveys done since the initial audit (§3.9.1)."""
    problems = []
    if self_assessment <= previous_audit:
        problems.append(
            _("Un dossier de suivi doit présenter un autodiagnostic réalisé depuis l’audit précédent.")
        )
    if user_survey <= previous_audit or agent_survey <= previous_audit:
        problems.append(
            _(
                "Un dossier de suivi doit présenter les enquêtes usagers et agents réalisées depuis l’audit précédent."
            )
        )
    return problems


def contract_cycle_end(cycle_start: datetime.date) -> datetime.date:
    """A service contract covers the label's 3-year cycle (§3.2): last day of the cycle."""
    return cycle_start + CONTRACT_CYCLE - datetime.timedelta(days=1)
