"""The certification body's decision (issue #6, « Decision engine »; guide §2.2, §3.8, §3.9).

`decision_propose` gathers every input of a file (the audit's scores per commitment and « Or » criteria, the surveys
with their age, the self-assessment's date) and applies decisions.rules; the decision page shows it all.
`decision_issue` records the manager's confirmation: an immutable Decision with a snapshot of those inputs, then its
effects — a new label (award), a new tier (upgrade), an action plan request (follow-up below the tier held) — and
the file is closed. Nobody decides on an audit they took part in (ISO/IEC 17065 §7.6, 17021-1 §9.5).
"""

import datetime
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.enums import AssignmentStatus, AuditStatus
from audits.models import Audit, AuditAssignment, GradeOperation
from audits.permissions import can_manage_body_audits
from audits.selectors import audit_scores
from candidates import rules as candidate_rules
from candidates import services as candidate_services
from candidates.enums import ApplicationKind, ApplicationOutcome, ApplicationStatus
from decisions import rules
from decisions.enums import (
    MOTIVATED_OUTCOMES,
    TIER_OUTCOMES,
    DecisionOutcome,
    FollowUpOutcome,
    LabelStatus,
    Tier,
)
from decisions.models import ActionPlanRequest, Decision, Label, label_last_day
from labelsp.accounts.recipients import service_staff_emails
from labelsp.deadlines.enums import DeadlineStatus
from labelsp.emails import send_templated_email

ACTION_PLAN_DELAY = relativedelta(months=1)
# The decisions after which the label's attestation gets a new version (an award: its first).
ATTESTATION_OUTCOMES = (DecisionOutcome.AWARD, DecisionOutcome.UPGRADE, DecisionOutcome.EXTENSION)
MOTIVATION_MAX_LENGTH = 10_000


@dataclass
class Proposal:
    """Everything the decision page shows, and what is stored with the decision."""

    audit: Audit | None
    problems: list = field(default_factory=list)  # what prevents deciding at all
    commitments: dict = field(default_factory=dict)  # "1"…"8" → score
    or_criteria: float | None = None
    agents: float | None = None
    users: float | None = None
    freshness: list = field(default_factory=list)  # rules.Check about the age of the inputs
    tier_checks: dict = field(default_factory=dict)  # Tier → [rules.Check]
    reached: Tier | None = None  # the tier the results reach (None: none)
    held: Label | None = None  # for a follow-up: the label in force
    outcome: str = ""
    tier: str = ""
    # A central service's own figures (§2.2.2)
    network: list = field(default_factory=list)  # the sampled locals and the tier each was given
    central_share: float | None = None
    central_checks: list = field(default_factory=list)
    locals_missing: int = 0  # a central follow-up below ⌈75 %⌉: labelled locals still needed

    def as_json(self) -> dict:
        def check(c):
            return {"label": c.label, "value": c.value, "threshold": c.threshold, "passes": c.passes}

        return {
            "audit": self.audit.pk if self.audit else None,
            "grid": str(self.audit.grid) if self.audit else "",
            "commitments": self.commitments,
            "or_criteria": self.or_criteria,
            "agent_survey": self.agents,
            "user_survey": self.users,
            "freshness": [check(c) for c in self.freshness],
            "tiers": {str(tier): [check(c) for c in checks] for tier, checks in self.tier_checks.items()},
            "reached": self.reached or "",
            "held": self.held.tier if self.held else "",
            "network": self.network,
            "central_share": self.central_share,
            "central": [check(c) for c in self.central_checks],
            "locals_missing": self.locals_missing,
        }


def _score(value) -> float | None:
    return None if value is None else float(value)


def decision_propose(application, *, network_attested: bool = False) -> Proposal:
    """The proposed outcome of a file, with every input and every condition. For a central service,
    `network_attested` is the manager's statement that every local service sent its yearly self-assessment (and, in
    follow-up years, that the labelled locals ran their surveys): the platform holds no such reports."""
    audit = application.audits.select_related("grid").first()
    proposal = Proposal(audit=audit)
    if audit is None or audit.status != AuditStatus.CLOSED:
        proposal.problems.append(
            _(
                "Le dossier d’audit doit d’abord être transmis pour décision (rapport envoyé, délai d’observations écoulé)."
            )
        )
        return proposal
    if application.central_service_id:
        return _propose_central(application, proposal, network_attested=network_attested)
    scores = audit_scores(audit)
    by_code = {entry["section"].code: entry["score"] for entry in scores["sections"]}
    proposal.commitments = {code: by_code.get(code) for code in rules.COMMITMENTS}
    proposal.or_criteria = by_code.get("or")
    proposal.agents = _score(application.agent_survey_score)
    proposal.users = _score(application.user_survey_score)
    audit_day = audit.visit_start
    initial = application.kind in (ApplicationKind.INITIAL, ApplicationKind.RENEWAL)
    for label, closed_on in (
        (_("Enquête agents récente"), application.agent_survey_closed_on),
        (_("Enquête usagers récente"), application.user_survey_closed_on),
    ):
        problem = (
            _("Date de clôture inconnue.")
            if closed_on is None
            else candidate_rules.survey_problem(closed_on, audit_day, initial=initial)
        )
        proposal.freshness.append(rules.Check(str(problem or label), None, 1, problem is None))
    sa_problem = (
        _("Date de l’autodiagnostic inconnue.")
        if application.self_assessment_on is None
        else candidate_rules.self_assessment_problem(application.self_assessment_on, audit_day)
    )
    proposal.freshness.append(
        rules.Check(str(sa_problem or _("Autodiagnostic de moins de 12 mois")), None, 1, sa_problem is None)
    )
    local = rules.local_tier(
        commitments=proposal.commitments,
        or_criteria=proposal.or_criteria,
        agents=proposal.agents,
        users=proposal.users,
    )
    proposal.tier_checks = local.checks
    # Inputs too old cannot support any tier.
    proposal.reached = local.tier if all(check.passes for check in proposal.freshness) else None
    _outcome_against_held(proposal, {"local_service_id": application.local_service_id}, application.kind)
    return proposal


def _outcome_against_held(
    proposal: Proposal, label_filter: dict, kind: str, central: rules.CentralDecision | None = None
) -> None:
    """Initial and renewal files: award or refusal; follow-ups: confirm, upgrade, action plan — or, for a central
    service with too few labelled locals, more locals to present (§3.8, §3.9); extensions: the added perimeter
    reaches the tier held, or the extension is refused (§3.10)."""
    if kind in (ApplicationKind.FOLLOW_UP, ApplicationKind.EXTENSION):
        proposal.held = Label.objects.in_force(proposal.audit.visit_start).filter(**label_filter).first()
        if proposal.held is None:
            proposal.problems.append(
                _(
                    "Aucun label en vigueur : un audit de suivi ou d’extension suppose un label en cours de validité."
                )
            )
            return
    held = Tier(proposal.held.tier) if proposal.held else None
    if kind == ApplicationKind.EXTENSION:
        extends = proposal.reached is not None and Tier(proposal.reached).rank >= held.rank
        proposal.outcome = DecisionOutcome.EXTENSION if extends else DecisionOutcome.EXTENSION_REFUSAL
        # The label keeps its tier and its end date; the added perimeter only joins it.
        proposal.tier = held if extends else ""
    elif kind == ApplicationKind.FOLLOW_UP:
        follow_up = (
            rules.central_follow_up_outcome(held, central)
            if central is not None
            else rules.follow_up_outcome(held, proposal.reached)
        )
        proposal.outcome = {
            FollowUpOutcome.CONFIRM: DecisionOutcome.CONFIRM,
            FollowUpOutcome.UPGRADE: DecisionOutcome.UPGRADE,
            FollowUpOutcome.ACTION_PLAN: DecisionOutcome.ACTION_PLAN,
            FollowUpOutcome.MORE_LOCALS: DecisionOutcome.MORE_LOCALS,
        }[follow_up]
        proposal.tier = {
            DecisionOutcome.CONFIRM: held,
            DecisionOutcome.UPGRADE: proposal.reached or "",
        }.get(proposal.outcome, "")
    else:
        if kind == ApplicationKind.RENEWAL:
            # The label this renewal follows, expired or not (never a withdrawn one).
            proposal.held = (
                Label.objects.filter(**label_filter)
                .exclude(status=LabelStatus.WITHDRAWN)
                .order_by("-ends_on", "-pk")
                .first()
            )
        proposal.outcome = DecisionOutcome.AWARD if proposal.reached else DecisionOutcome.REFUSAL
        proposal.tier = proposal.reached or ""


def _propose_central(application, proposal: Proposal, *, network_attested: bool) -> Proposal:
    """A central service (§2.2.2, §3.9.2): its sampled locals' decisions, its own audit, the network's reports."""
    from audits.rules import central_result
    from audits.selectors import grid_with_grades
    from audits.services import network_results

    audit = proposal.audit
    sampled = network_results(audit)
    local_decisions = {
        str(decision.local_service_id): decision
        for decision in Decision.objects.filter(application__central_application=application).order_by(
            "issued_at"
        )
    }
    waiting = [entry["name"] for entry in sampled if entry["id"] not in local_decisions]
    if not sampled:
        proposal.problems.append(_("Aucun service local n’a été tiré au sort pour cet audit."))
    if waiting:
        proposal.problems.append(
            _("Décidez d’abord sur chaque service local tiré au sort. En attente : %(names)s.")
            % {"names": ", ".join(waiting)}
        )
    if proposal.problems:
        return proposal
    result = central_result(
        [row["points"] for section in grid_with_grades(audit, with_previous=False) for row in section["rows"]]
    )
    central = rules.central_decision(
        audited=len(sampled),
        local_tiers=[local_decisions[entry["id"]].tier or None for entry in sampled],
        self_assessments_complete=network_attested,
        central_audit_passes=result.passes,
        follow_up_surveys_ok=network_attested if application.kind == ApplicationKind.FOLLOW_UP else None,
    )
    proposal.network = [
        {"name": entry["name"], "tier": local_decisions[entry["id"]].tier} for entry in sampled
    ]
    proposal.central_share = result.share
    proposal.central_checks = central.checks
    proposal.reached = central.tier
    if application.kind == ApplicationKind.FOLLOW_UP and not central.enough_locals:
        proposal.locals_missing = rules.locals_needed(len(sampled)) - sum(
            1 for entry in sampled if local_decisions[entry["id"]].tier
        )
    _outcome_against_held(
        proposal, {"central_service_id": application.central_service_id}, application.kind, central
    )
    return proposal


def took_part_in_audit(user, application) -> bool:
    """Whether `user` was on the team of the file's audit or graded it: such a person may not decide on it."""
    audits = Audit.objects.filter(application=application)
    return (
        AuditAssignment.objects.filter(audit__in=audits, auditor=user)
        .exclude(status__in=(AssignmentStatus.PROPOSED, AssignmentStatus.DECLINED))
        .exists()
        or GradeOperation.objects.filter(audit__in=audits, author=user).exists()
    )


def decision_issue(
    *,
    user,
    application,
    motivation: str = "",
    replaces: Decision | None = None,
    network_attested: bool = False,
) -> Decision:
    """Issue the proposed decision on a file, as the body's manager confirms it. A refusal needs a written
    motivation. A correction (`replaces`) is a new decision about the same file."""
    if not can_manage_body_audits(user, application.certification_body):
        raise PermissionDenied
    # §1.3: only a body habilitated today decides (a suspended, withdrawn or lapsed habilitation stops it).
    if not application.certification_body.habilitation_is_active(timezone.localdate()):
        raise ValidationError(
            {
                "__all__": _(
                    "L’habilitation de l’organisme n’est pas active : il ne peut pas émettre de décision."
                )
            }
        )
    if took_part_in_audit(user, application):
        raise ValidationError(
            {
                "__all__": _(
                    "Vous avez participé à l’audit de ce dossier : une autre personne de l’organisme doit prendre la "
                    "décision (impartialité, ISO/IEC 17065)."
                )
            }
        )
    if replaces is None and application.status != ApplicationStatus.ACKNOWLEDGED:
        raise ValidationError(
            {"__all__": _("Ce dossier a déjà sa décision : une correction remplace une décision.")}
        )
    if replaces is not None and replaces.application_id != application.pk:
        raise ValidationError({"__all__": _("La décision corrigée doit porter sur le même dossier.")})
    proposal = decision_propose(application, network_attested=network_attested)
    if proposal.problems:
        raise ValidationError({"__all__": proposal.problems})
    motivation = (motivation or "").strip()
    if len(motivation) > MOTIVATION_MAX_LENGTH:
        raise ValidationError(
            {"motivation": _("%(max)s caractères au plus.") % {"max": MOTIVATION_MAX_LENGTH}}
        )
    if proposal.outcome in MOTIVATED_OUTCOMES and not motivation:
        raise ValidationError({"motivation": _("Un refus doit être motivé par écrit.")})
    today = timezone.localdate()
    try:
        with transaction.atomic():
            decision = Decision.objects.create(
                application=application,
                local_service_id=application.local_service_id,
                central_service_id=application.central_service_id,
                certification_body_id=application.certification_body_id,
                outcome=proposal.outcome,
                tier=proposal.tier,
                inputs=proposal.as_json(),
                motivation=motivation,
                replaces=replaces,
                decided_by=user,
                decided_on=today,
            )
            label = _apply(decision, proposal, today)
            closing = (
                ApplicationOutcome.REFUSED
                if decision.outcome == DecisionOutcome.REFUSAL
                else ApplicationOutcome.LABELLED
                if decision.outcome in TIER_OUTCOMES
                else ApplicationOutcome.AUDITED
            )
            refused_on = today if closing == ApplicationOutcome.REFUSED else None
            if replaces is None:
                candidate_services.application_close(
                    user=user,
                    application=application,
                    outcome=closing,
                    reason=decision.get_outcome_display(),
                    refusal_notified_on=refused_on,
                )
            else:
                # A correction (or an upheld appeal) closes the file anew: the 6-month wait after a refusal
                # follows the decision in force.
                application.outcome = closing
                application.refusal_notified_on = refused_on
                application.save(update_fields=["outcome", "refusal_notified_on"])
            _schedule(decision, proposal, label, today)
            if label is not None and decision.outcome in ATTESTATION_OUTCOMES:
                from decisions.attestations import attestation_issue

                attestation_issue(label=label, decision=decision)
    except IntegrityError:
        raise ValidationError({"__all__": _("Cette décision a déjà été corrigée.")}) from None
    emails = service_staff_emails(decision.candidate)
    transaction.on_commit(
        lambda: send_templated_email(to=emails, template="decision_issued", context={"decision": decision})
    )
    return decision


def _schedule(decision: Decision, proposal: Proposal, label: Label | None, today: datetime.date) -> None:
    """The deadlines a decision causes or ends (issue #7): a new label's whole cycle (and the end of the one it
    renews), a follow-up done, an action plan due in a month, the date a refused candidate may apply again."""
    from labelsp.deadlines.enums import DeadlineKind
    from labelsp.deadlines.services import (
        deadline_set,
        deadlines_close,
        follow_up_done,
        label_schedule_sync,
        local_follow_up_owed,
        local_follow_ups_waived,
    )

    if decision.replaces_id:
        deadlines_close(decision.replaces, status=DeadlineStatus.CANCELLED)
    if decision.outcome == DecisionOutcome.AWARD and label is not None:
        label_schedule_sync(label, today=today)
        if label.renews_id:
            label_schedule_sync(label.renews, today=today)
        if decision.central_service_id:
            local_follow_ups_waived(decision.central_service_id)
    elif decision.outcome in (DecisionOutcome.CONFIRM, DecisionOutcome.UPGRADE, DecisionOutcome.ACTION_PLAN):
        follow_up_done(proposal.held)
    if decision.outcome in (DecisionOutcome.UPGRADE, DecisionOutcome.EXTENSION) and label is not None:
        label_schedule_sync(label, today=today)  # same dates: nothing moves, but the schedule is checked
    if decision.outcome == DecisionOutcome.REFUSAL and decision.central_service_id:
        # A refused central service: its locals labelled through this process keep their label and owe a local
        # follow-up audit at 18 months, unless the central label arrives meanwhile (§3.9.2).
        for local_label in Label.objects.in_force(today).filter(
            decision__application__central_application=decision.application
        ):
            local_follow_up_owed(local_label, today=today)
    if decision.outcome == DecisionOutcome.ACTION_PLAN:
        for request in ActionPlanRequest.objects.filter(decision=decision):
            deadline_set(
                key=f"action_plan:{request.pk}",
                kind=DeadlineKind.ACTION_PLAN,
                subject=request,
                due_on=request.due_on,
                today=today,
            )
    elif decision.outcome == DecisionOutcome.REFUSAL:
        deadline_set(
            key=f"decision:{decision.pk}:new_application",
            kind=DeadlineKind.NEW_APPLICATION,
            subject=decision,
            due_on=candidate_rules.new_application_allowed_from(today),
            today=today,
        )


def _apply(decision: Decision, proposal: Proposal, today: datetime.date) -> Label | None:
    """The decision's effect on the label: a new one (award; a renewal's ends the previous one), a higher tier
    (upgrade), an action plan request; an extension leaves tier and dates as they are (its new attestation version
    lists the sites now covered)."""
    if decision.outcome == DecisionOutcome.AWARD:
        corrected = Label.objects.filter(decision=decision.replaces).first() if decision.replaces_id else None
        if corrected is not None:
            # A corrected award keeps its label and validity; only the tier follows the new decision.
            corrected.tier = decision.tier
            corrected.save(update_fields=["tier"])
            return corrected
        renewed = proposal.held  # a renewal's previous label (None for an initial file)
        if renewed is not None and renewed.ends_on >= today:
            # The new cycle starts from the new decision (§3.10): the previous label ends the day before.
            renewed.ends_on = max(renewed.starts_on, today - datetime.timedelta(days=1))
            renewed.save(update_fields=["ends_on"])
        return Label.objects.create(
            local_service_id=decision.local_service_id,
            central_service_id=decision.central_service_id,
            certification_body_id=decision.certification_body_id,
            decision=decision,
            tier=decision.tier,
            starts_on=today,
            ends_on=label_last_day(today),
            renews=renewed,
        )
    label = proposal.held
    if label is None:
        return None
    if decision.outcome == DecisionOutcome.UPGRADE:
        # Validity unchanged: an upgrade updates the attestation, it does not restart the cycle (§3.8.1).
        label.tier = decision.tier
        label.save(update_fields=["tier"])
    elif decision.outcome == DecisionOutcome.ACTION_PLAN:
        ActionPlanRequest.objects.create(decision=decision, label=label, due_on=today + ACTION_PLAN_DELAY)
    return label
