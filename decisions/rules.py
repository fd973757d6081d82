"""Pure rules of the decisions (guide §2.2, §3.8, §3.9; DOMAIN.md « The three components and the tiers » and
« Central services »). Plain values in, plain values out: no database.

Each interpretation of the guide lives in exactly one function here, with its test in tests/decisions/test_rules.py.
A decision page shows every `Check` these functions return, so the manager sees which condition passes or fails.
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from decisions.enums import FollowUpOutcome, Tier

COMMITMENTS = ("1", "2", "3", "4", "5", "6", "7", "8")


@dataclass(frozen=True)
class Thresholds:
    commitments: float  # each of the 8 commitments of the audit
    or_criteria: float | None  # the « Or » criteria of the audit (Or only)
    agents: float  # the agent survey's global score
    users: float  # the user survey's global score


# The tier table (§2.2.1): all conditions cumulative; the highest tier whose every condition holds is awarded.
THRESHOLDS = {
    Tier.BRONZE: Thresholds(commitments=50, or_criteria=None, agents=50, users=70),
    Tier.ARGENT: Thresholds(commitments=65, or_criteria=None, agents=65, users=80),
    Tier.OR: Thresholds(commitments=80, or_criteria=80, agents=80, users=90),
}


@dataclass(frozen=True)
class Check:
    """One condition of a tier, as the decision page shows it."""

    label: str
    value: float | None
    threshold: float
    passes: bool


@dataclass(frozen=True)
class LocalDecision:
    tier: Tier | None  # None: refusal
    checks: dict = field(default_factory=dict)  # Tier → [Check, …]


def reaches(value: float | None, threshold: float) -> bool:
    """`value` ≥ `threshold`, a missing score never reaching anything.

    Interpretation: scores are compared as computed, without rounding to the displayed two decimals (49.995 does not
    reach 50); only floating-point noise (below 1e-9) is ignored, so that 100 × 0.65 reaches 65."""
    return value is not None and round(value, 9) >= threshold


def tier_checks(
    tier: Tier,
    *,
    commitments: Mapping[str, float | None],
    or_criteria: float | None,
    agents: float | None,
    users: float | None,
) -> list[Check]:
    limits = THRESHOLDS[tier]
    checks = [
        Check(
            str(_("Engagement %(n)s (audit)") % {"n": code}),
            commitments.get(code),
            limits.commitments,
            reaches(commitments.get(code), limits.commitments),
        )
        for code in COMMITMENTS
    ]
    if limits.or_criteria is not None:
        checks.append(
            Check(
                str(_("Critères « Or » (audit)")),
                or_criteria,
                limits.or_criteria,
                reaches(or_criteria, limits.or_criteria),
            )
        )
    checks.append(Check(str(_("Enquête agents")), agents, limits.agents, reaches(agents, limits.agents)))
    checks.append(Check(str(_("Enquête usagers")), users, limits.users, reaches(users, limits.users)))
    return checks


def local_tier(
    *,
    commitments: Mapping[str, float | None],
    or_criteria: float | None,
    agents: float | None,
    users: float | None,
) -> LocalDecision:
    """The tier of a local service: the highest whose every condition holds (§2.2.1), None for a refusal. All the
    « Or » checkpoints are audited whatever the surveys (§3.7.1 note 10), so `or_criteria` is always known once the
    audit is complete."""
    checks = {
        tier: tier_checks(tier, commitments=commitments, or_criteria=or_criteria, agents=agents, users=users)
        for tier in Tier
    }
    awarded = None
    for tier in Tier:  # lowest first: the tiers are nested, a higher tier needs everything a lower one needs
        if all(check.passes for check in checks[tier]):
            awarded = tier
    return LocalDecision(tier=awarded, checks=checks)


# --- Central services (§2.2.2, §3.9.2) ----------------------------------------------------------------------------


def enough_locals_labelled(audited: int, labelled: int) -> bool:
    """At least 75 % of the local services audited that year are labelled, rounded up (§2.2.2): 3 audited need 3,
    4 need 3, 7 need 6. Compared on integers."""
    return audited > 0 and 4 * labelled >= 3 * audited


def locals_needed(audited: int) -> int:
    """How many labelled locals `enough_locals_labelled` needs: ⌈75 % × audited⌉."""
    return (3 * audited + 3) // 4


def majority_tier(tiers: Iterable[Tier]) -> Tier | None:
    """The tier held by the majority of the locals labelled that year (§2.2.2). Interpretation: the tier held by the
    largest number of them (relative majority); on a tie between tiers, the lower one."""
    counts = Counter(Tier(tier) for tier in tiers)
    if not counts:
        return None
    best = max(counts.values())
    return min((tier for tier, count in counts.items() if count == best), key=lambda tier: tier.rank)


@dataclass(frozen=True)
class CentralDecision:
    tier: Tier | None
    checks: list = field(default_factory=list)  # [Check, …]
    enough_locals: bool = True  # ⌈75 %⌉ of the locals audited that year are labelled


def central_decision(
    *,
    audited: int,
    local_tiers: Iterable[Tier | None],
    self_assessments_complete: bool,
    central_audit_passes: bool,
    follow_up_surveys_ok: bool | None = None,
) -> CentralDecision:
    """A central service is labelled when, cumulatively (§2.2.2, §3.9.2): at least ⌈75 %⌉ of the locals audited
    that year are labelled; every local service has its yearly self-assessment; the central audit validates at
    least 75 % of its checkpoints; in follow-up years, the already-labelled locals ran their surveys
    (`follow_up_surveys_ok`, None in an initial year). Its tier is the majority tier of the locals labelled that
    year."""
    labelled = [Tier(tier) for tier in local_tiers if tier]
    checks = [
        Check(
            str(_("Services locaux audités labellisés")),
            len(labelled),
            locals_needed(audited),
            enough_locals_labelled(audited, len(labelled)),
        ),
        Check(
            str(_("Autodiagnostic annuel de chaque service local")),
            float(self_assessments_complete),
            1,
            self_assessments_complete,
        ),
        Check(
            str(_("Audit du service central : points validés, au moins 75 %")),
            float(central_audit_passes),
            1,
            central_audit_passes,
        ),
    ]
    if follow_up_surveys_ok is not None:
        checks.append(
            Check(
                str(_("Enquêtes des services locaux déjà labellisés")),
                float(follow_up_surveys_ok),
                1,
                follow_up_surveys_ok,
            )
        )
    tier = majority_tier(labelled) if all(check.passes for check in checks) else None
    return CentralDecision(tier=tier, checks=checks, enough_locals=checks[0].passes)


# --- Follow-up audits (§3.8.1, §3.9.2) -----------------------------------------------------------------------------


def follow_up_outcome(held: Tier, reached: Tier | None) -> FollowUpOutcome:
    """A follow-up audit confirms the tier held, upgrades it, or — when the results no longer reach the tier held —
    requires an action plan within one month, failing which the label may be suspended (§3.8.1). Interpretation:
    there is no downgrade in the guide; results below the tier held, Bronze included, call for an action plan.

    For a central service, `reached` is the majority tier of the year N+1 locals (None when the central conditions
    fail), compared with the tier held from year N (§3.9.2)."""
    held = Tier(held)
    if reached is None or Tier(reached).rank < held.rank:
        return FollowUpOutcome.ACTION_PLAN
    if Tier(reached).rank > held.rank:
        return FollowUpOutcome.UPGRADE
    return FollowUpOutcome.CONFIRM


def central_follow_up_outcome(held: Tier, central: CentralDecision) -> FollowUpOutcome:
    """A central follow-up year (§3.9.2): fewer than ⌈75 %⌉ of the sampled locals labelled → more locals must be
    presented (the label may be suspended meanwhile); otherwise the majority tier of year N+1's locals against the
    tier held from year N, as `follow_up_outcome` (an unmet central condition calls for an action plan)."""
    if not central.enough_locals:
        return FollowUpOutcome.MORE_LOCALS
    return follow_up_outcome(held, central.tier)
