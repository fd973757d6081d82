"""Every change to an audit goes through here (issue #5; guide §3.3, §3.6, §3.7, §3.9).

Services check who may act (audits.permissions), validate, change the rows in one transaction and record the
business event in the audit's log. Errors are ValidationError keyed by the form field, in French; nothing is
saved when one is raised.
"""

import datetime
import hashlib
import secrets
import uuid
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from audits import permissions, rules
from audits.enums import (
    GRADABLE_STATUSES,
    RESULT_STATUSES,
    AssignmentStatus,
    AuditKind,
    AuditScope,
    AuditStatus,
    CorrectiveJudgement,
    DrawKind,
    GradeOutcome,
    GridKind,
)
from audits.models import (
    Audit,
    AuditAssignment,
    AuditGrid,
    AuditLog,
    Checkpoint,
    CorrectiveAction,
    EvidencePhoto,
    Grade,
    GradeOperation,
    Observation,
    SamplingDraw,
)
from candidates.enums import ApplicationStatus
from candidates.models import Application, LocalService, Site
from labelsp.accounts.enums import Role
from labelsp.accounts.models import Membership
from labelsp.accounts.recipients import service_staff_emails
from labelsp.deadlines.enums import Actor, DeadlineKind, DeadlineStatus
from labelsp.deadlines.services import deadline_set, deadlines_close
from labelsp.emails import send_templated_email
from labelsp.uploads import check_upload
from labelsp.workflow import Transition, TransitionNotAllowed
from labelsp.workflow import transition as run_transition

S = AuditStatus
SEND_PLAN = Transition("send_plan", [S.PLANNING], S.PLAN_SENT)
RESCHEDULE = Transition("reschedule", [S.PLAN_SENT], S.PLANNING)
START = Transition("start", [S.PLAN_SENT], S.IN_PROGRESS)
SEND_REPORT = Transition("send_report", [S.IN_PROGRESS], S.REPORT_SENT)
CLOSE = Transition("close", [S.REPORT_SENT], S.CLOSED)

TEXT_MAX_LENGTH = 10_000
COMMENT_MAX_LENGTH = 2_000
DEVICE_ID_MAX_LENGTH = 64
MAX_BATCH = 200
# The largest value of a PositiveIntegerField (Grade.version, GradeOperation.base_version).
MAX_VERSION = 2_147_483_647
PHOTO_MAX_BYTES = 10 * 1024 * 1024
PHOTO_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
NO_CONFLICT_DECLARATION = _(
    "Je déclare n’avoir, avec %(service)s, aucun lien personnel, professionnel ou financier, ni aucune mission de "
    "conseil ou d’accompagnement au cours des deux dernières années, de nature à compromettre mon impartialité."
)


def _log(audit, *, name: str, actor, reason: str = "") -> None:
    AuditLog.objects.create(
        audit=audit,
        transition=name,
        from_state=audit.status,
        to_state=audit.status,
        actor=actor,
        reason=reason,
    )


def _transition(audit, spec, *, actor, reason="", **updates) -> Audit:
    try:
        run_transition(
            audit, spec, actor=actor, reason=reason, extra_updates=updates, log_model=AuditLog, log_fk="audit"
        )
    except TransitionNotAllowed:
        raise ValidationError(
            {"__all__": _("L’audit a changé d’état entre-temps : rechargez la page.")}
        ) from None
    return audit


def _text(value: str, field: str, *, required: bool = True, max_length: int = TEXT_MAX_LENGTH) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("Ce champ est obligatoire.")})
    if len(value) > max_length:
        raise ValidationError(
            {
                field: _("%(max)s caractères au plus (%(count)s saisis).")
                % {"max": max_length, "count": len(value)}
            }
        )
    return value


# --- Creating the audit --------------------------------------------------------------------------------------------


def audit_create(*, user, application: Application) -> Audit:
    """The certification body's manager creates the audit of an acknowledged file, with the current grid of its
    kind; a follow-up points to the candidate's previous audit, a network local to its central service's audit."""
    if not permissions.can_manage_body_audits(user, application.certification_body):
        raise PermissionDenied
    if application.status != ApplicationStatus.ACKNOWLEDGED:
        raise ValidationError(
            {"__all__": _("Seul un dossier déclaré recevable peut donner lieu à un audit.")}
        )
    scope = AuditScope.CENTRAL if application.central_service_id else AuditScope.LOCAL
    grid = AuditGrid.objects.current(GridKind.CENTRAL if scope == AuditScope.CENTRAL else GridKind.LOCAL)
    if grid is None:
        raise ValidationError(
            {"__all__": _("Aucune grille d’audit n’est publiée : la DITP doit en publier une.")}
        )
    candidate_filter = (
        {"central_service_id": application.central_service_id}
        if scope == AuditScope.CENTRAL
        else {"local_service_id": application.local_service_id}
    )
    previous = None
    if application.kind != AuditKind.INITIAL:
        previous = (
            Audit.objects.filter(**candidate_filter, status__in=RESULT_STATUSES)
            .order_by("-report_sent_at", "-pk")
            .first()
        )
    network_audit = None
    if application.central_application_id:
        network_audit = Audit.objects.filter(application_id=application.central_application_id).first()
    try:
        with transaction.atomic():
            audit = Audit.objects.create(
                application=application,
                kind=application.kind,
                scope=scope,
                certification_body_id=application.certification_body_id,
                grid=grid,
                previous_audit=previous,
                network_audit=network_audit,
                created_by=user,
                **candidate_filter,
            )
            AuditLog.objects.create(
                audit=audit, transition="create", from_state="", to_state=audit.status, actor=user
            )
    except IntegrityError:
        raise ValidationError({"__all__": _("Ce dossier a déjà son audit.")}) from None
    return audit


# --- Auditors -----------------------------------------------------------------------------------------------------


def body_auditors(audit):
    """The auditors of the audit's body, those of the previous audit first (a follow-up proposes the auditor of the
    initial audit, §3.8.1): a list of (user, was_on_previous_audit)."""
    memberships = (
        Membership.objects.active()
        .filter(role=Role.AUDITOR, certification_body_id=audit.certification_body_id)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__email")
    )
    previous = set()
    if audit.previous_audit_id:
        previous = set(
            AuditAssignment.objects.filter(
                audit_id=audit.previous_audit_id, status=AssignmentStatus.ASSIGNED
            ).values_list("auditor_id", flat=True)
        )
    users = []
    seen = set()
    for membership in memberships:
        if membership.user_id not in seen:
            seen.add(membership.user_id)
            users.append((membership.user, membership.user_id in previous))
    users.sort(key=lambda pair: not pair[1])
    return users


def assignment_propose(*, user, audit: Audit, auditor, is_lead: bool = False) -> AuditAssignment:
    """The manager proposes one of the body's auditors; the auditor is assigned once they have declared no conflict
    of interest."""
    if not permissions.can_manage_audit(user, audit):
        raise PermissionDenied
    if audit.status in RESULT_STATUSES:
        raise ValidationError({"__all__": _("Le rapport est envoyé : l’équipe d’audit ne change plus.")})
    if auditor.pk not in {candidate.pk for candidate, _previous in body_auditors(audit)}:
        raise ValidationError({"auditor": _("Choisissez un auditeur de votre organisme.")})
    try:
        with transaction.atomic():
            assignment = AuditAssignment.objects.create(
                audit=audit, auditor=auditor, is_lead=is_lead, proposed_by=user
            )
            _log(audit, name="propose_auditor", actor=user, reason=auditor.get_full_name() or auditor.email)
    except IntegrityError:
        raise ValidationError(
            {"auditor": _("Cet auditeur est déjà proposé ou affecté à cet audit.")}
        ) from None
    auditor_email = auditor.email
    transaction.on_commit(
        lambda: send_templated_email(
            to=[auditor_email], template="audit_assignment_proposed", context={"audit": audit}
        )
    )
    return assignment


def declaration_text(audit) -> str:
    return NO_CONFLICT_DECLARATION % {"service": audit.candidate.name}


def assignment_declare(
    *, user, assignment: AuditAssignment, no_conflict: bool, reason: str = ""
) -> AuditAssignment:
    """The proposed auditor signs the no-conflict declaration (dated and kept) and is assigned, or declares a
    conflict of interest with its reason and is not assigned."""
    if assignment.auditor_id != user.pk:
        raise PermissionDenied
    if assignment.status != AssignmentStatus.PROPOSED:
        raise ValidationError({"__all__": _("Vous avez déjà répondu à cette proposition.")})
    now = timezone.now()
    if no_conflict:
        updates = {
            "status": AssignmentStatus.ASSIGNED,
            "declared_at": now,
            "declaration": declaration_text(assignment.audit),
        }
    else:
        updates = {
            "status": AssignmentStatus.DECLINED,
            "declared_at": now,
            "declined_reason": _text(reason, "reason", max_length=2_000),
        }
    with transaction.atomic():
        moved = AuditAssignment.objects.filter(pk=assignment.pk, status=AssignmentStatus.PROPOSED).update(
            **updates
        )
        if not moved:
            raise ValidationError({"__all__": _("Vous avez déjà répondu à cette proposition.")})
        for field, value in updates.items():
            setattr(assignment, field, value)
        _log(
            assignment.audit,
            name="declare_no_conflict" if no_conflict else "declare_conflict",
            actor=user,
            reason=updates.get("declined_reason", ""),
        )
    return assignment


def assignment_remove(*, user, assignment: AuditAssignment) -> AuditAssignment:
    audit = assignment.audit
    if not permissions.can_manage_audit(user, audit):
        raise PermissionDenied
    if audit.status in RESULT_STATUSES:
        raise ValidationError({"__all__": _("Le rapport est envoyé : l’équipe d’audit ne change plus.")})
    with transaction.atomic():
        AuditAssignment.objects.filter(
            pk=assignment.pk, status__in=(AssignmentStatus.PROPOSED, AssignmentStatus.ASSIGNED)
        ).update(status=AssignmentStatus.REMOVED, removed_at=timezone.now())
        _log(audit, name="remove_auditor", actor=user, reason=assignment.auditor.get_full_name())
    assignment.refresh_from_db()
    return assignment


# --- Random selection (§3.3) --------------------------------------------------------------------------------------


def draw_population(audit: Audit, kind: str) -> tuple[list[list], list[str]]:
    """What a draw of `kind` picks from: [[id, label], …] sorted by id (as text), and the ids left out because
    they were already audited in this cycle (central follow-up years, §3.3)."""
    if kind == DrawKind.LOCALS:
        locals_ = LocalService.objects.filter(
            parent_id=audit.central_service_id, parent_confirmed_at__isnull=False
        ).order_by("pk")
        population = [[str(local.pk), local.name] for local in locals_]
        excluded: list[str] = []
        if audit.kind in (AuditKind.FOLLOW_UP, AuditKind.EXTENSION):
            cycle_start = (
                Audit.objects.filter(
                    central_service_id=audit.central_service_id,
                    kind__in=(AuditKind.INITIAL, AuditKind.RENEWAL),
                    created_at__lt=audit.created_at,
                )
                .order_by("-created_at")
                .values_list("created_at", flat=True)
                .first()
            )
            earlier = SamplingDraw.objects.filter(
                kind=DrawKind.LOCALS, audit__central_service_id=audit.central_service_id
            ).exclude(audit=audit)
            if cycle_start is not None:
                earlier = earlier.filter(audit__created_at__gte=cycle_start)
            already = {
                identifier
                for selected in earlier.values_list("selected", flat=True)
                for identifier in selected
            }
            excluded = sorted(identifier for identifier, _label in population if identifier in already)
        return population, excluded
    sites = Site.objects.filter(local_service_id=audit.local_service_id, is_active=True).order_by("pk")
    return [[str(site.pk), f"{site.name} ({site.get_kind_display()})"] for site in sites], []


def audit_draw(*, user, audit: Audit, kind: str, size: int | None = None) -> SamplingDraw:
    """Draw the local services (central audit) or the sites (local audit) at random, once, and record the seed,
    the population and the result. At least ⌈√n⌉ of the network's n local services (§3.3); the body may draw
    more."""
    if not permissions.can_manage_audit(user, audit):
        raise PermissionDenied
    if kind not in DrawKind.values or (kind == DrawKind.LOCALS) != audit.is_central:
        raise ValidationError({"kind": _("Ce tirage ne s’applique pas à cet audit.")})
    if audit.status != AuditStatus.PLANNING:
        raise ValidationError({"__all__": _("Le tirage se fait avant l’envoi du plan d’audit.")})
    population, excluded = draw_population(audit, kind)
    eligible = [identifier for identifier, _label in population if identifier not in set(excluded)]
    minimum = min(rules.sample_size(len(population)), len(eligible))
    if not eligible:
        raise ValidationError(
            {
                "size": _("Il n’y a rien à tirer au sort : aucun service local rattaché n’attend d’audit.")
                if kind == DrawKind.LOCALS
                else _("Le service n’a aucun site actif.")
            }
        )
    size = minimum if size is None else size
    if size < minimum or size > len(eligible):
        raise ValidationError(
            {
                "size": _("Choisissez un nombre entre %(min)s et %(max)s.")
                % {"min": minimum, "max": len(eligible)}
            }
        )
    seed = secrets.token_hex(16)
    selected = rules.draw(eligible, size, seed)
    try:
        with transaction.atomic():
            draw = SamplingDraw.objects.create(
                audit=audit,
                kind=kind,
                seed=seed,
                population=population,
                excluded=excluded,
                size=size,
                selected=selected,
                drawn_by=user,
            )
            if kind == DrawKind.SITES:
                audit.sites.set([int(identifier) for identifier in selected])
            _log(audit, name=f"draw_{kind}", actor=user, reason=", ".join(selected))
    except IntegrityError:
        raise ValidationError(
            {"__all__": _("Ce tirage a déjà été fait : son résultat est conservé.")}
        ) from None
    return draw


def draw_replay(draw: SamplingDraw) -> list[str]:
    """Re-run a recorded draw from its seed and population: anyone gets the same result."""
    excluded = set(draw.excluded)
    eligible = [identifier for identifier, _label in draw.population if identifier not in excluded]
    return rules.draw(eligible, draw.size, draw.seed)


def network_results(audit: Audit) -> list[dict]:
    """For a central audit: each sampled local service and its audit, with whether it has its result (report
    sent). The central audit starts only once they all have one (§3.9.2)."""
    draw = next((d for d in audit.draws.all() if d.kind == DrawKind.LOCALS), None)
    if draw is None:
        return []
    local_audits = {
        str(local_audit.local_service_id): local_audit
        for local_audit in Audit.objects.filter(
            network_audit=audit, local_service_id__in=[int(i) for i in draw.selected]
        )
    }
    labels = draw.labels
    return [
        {
            "id": identifier,
            "name": labels.get(identifier, identifier),
            "audit": local_audits.get(identifier),
            "has_result": identifier in local_audits and local_audits[identifier].status in RESULT_STATUSES,
        }
        for identifier in draw.selected
    ]


def central_audit_blocker(audit: Audit) -> str:
    """Why a central audit cannot start yet ("" when it can)."""
    if not audit.is_central:
        return ""
    results = network_results(audit)
    if not results:
        return _("Tirez d’abord au sort les services locaux audités.")
    waiting = [entry["name"] for entry in results if not entry["has_result"]]
    if waiting:
        return _(
            "L’audit du service central commence quand chaque service local tiré au sort a son résultat. "
            "En attente : %(names)s."
        ) % {"names": ", ".join(waiting)}
    return ""


# --- The plan (§3.6) ----------------------------------------------------------------------------------------------


def _check_visit_dates(visit_start, visit_end, *, today: datetime.date) -> None:
    if visit_start is None:
        raise ValidationError({"visit_start": _("Indiquez le premier jour de visite.")})
    if visit_end is None:
        raise ValidationError({"visit_end": _("Indiquez le dernier jour de visite.")})
    if visit_end < visit_start:
        raise ValidationError({"visit_end": _("Le dernier jour de visite ne peut précéder le premier.")})
    if (visit_end - visit_start).days > 31:
        raise ValidationError({"visit_end": _("Une visite dure au plus un mois.")})
    earliest = rules.first_visit_day(today)
    if visit_start < earliest:
        raise ValidationError(
            {
                "visit_start": _(
                    "Le plan d’audit doit parvenir au candidat au moins 10 jours ouvrés avant la visite (week-ends "
                    "et jours fériés exclus) : envoyé aujourd’hui, il permet une visite à partir du %(date)s."
                )
                % {"date": date_format(earliest, "l j F Y")}
            }
        )


def audit_plan_save(
    *,
    user,
    audit: Audit,
    visit_start: datetime.date | None,
    visit_end: datetime.date | None,
    duration_days: Decimal | None,
    sites: list,
    resource_persons: str,
    agenda: str,
    today: datetime.date | None = None,
) -> Audit:
    """Save the draft plan. The visit may not be earlier than the 10th French working day after today, the earliest
    the plan could be sent."""
    if not permissions.can_manage_audit(user, audit):
        raise PermissionDenied
    if audit.status != AuditStatus.PLANNING:
        raise ValidationError({"__all__": _("Le plan est envoyé : reprogrammez l’audit pour le modifier.")})
    today = today or timezone.localdate()
    _check_visit_dates(visit_start, visit_end, today=today)
    if duration_days is not None and not (Decimal("0.5") <= duration_days <= Decimal("30")):
        raise ValidationError({"duration_days": _("Indiquez une durée entre 0,5 et 30 jours.")})
    if audit.is_central:
        sites = []
    elif any(site.local_service_id != audit.local_service_id or not site.is_active for site in sites):
        raise ValidationError({"sites": _("Choisissez des sites actifs du service audité.")})
    with transaction.atomic():
        audit.visit_start = visit_start
        audit.visit_end = visit_end
        audit.duration_days = duration_days
        audit.resource_persons = _text(resource_persons, "resource_persons", required=False)
        audit.agenda = _text(agenda, "agenda", required=False)
        audit.save(update_fields=["visit_start", "visit_end", "duration_days", "resource_persons", "agenda"])
        if not audit.is_central and not audit.draws.filter(kind=DrawKind.SITES).exists():
            audit.sites.set(sites)
        if visit_start is not None:
            # The plan must reach the candidate 10 French working days before the visit (§3.6).
            deadline_set(
                key=f"audit:{audit.pk}:plan",
                kind=DeadlineKind.AUDIT_PLAN,
                subject=audit,
                due_on=rules.latest_plan_day(visit_start),
                actor=Actor.BODY,
                today=today,
            )
    return audit


def plan_problems(audit: Audit, *, today: datetime.date) -> list[str]:
    """What still prevents sending the plan ([] when it can be sent)."""
    problems = []
    if audit.visit_start is None or audit.visit_end is None:
        problems.append(_("Indiquez les dates de la visite."))
    else:
        try:
            _check_visit_dates(audit.visit_start, audit.visit_end, today=today)
        except ValidationError as error:
            problems.extend(error.messages)
    if audit.duration_days is None:
        problems.append(_("Indiquez la durée de l’audit."))
    if not audit.resource_persons:
        problems.append(_("Indiquez les personnes ressources du service audité."))
    if not audit.assignments.filter(status=AssignmentStatus.ASSIGNED).exists():
        problems.append(_("Affectez au moins un auditeur ayant déclaré n’avoir aucun conflit d’intérêts."))
    if audit.is_central:
        if not audit.draws.filter(kind=DrawKind.LOCALS).exists():
            problems.append(_("Tirez au sort les services locaux audités."))
    elif not audit.sites.exists():
        problems.append(_("Choisissez ou tirez au sort les sites audités."))
    return problems


def audit_plan_send(*, user, audit: Audit, today: datetime.date | None = None) -> Audit:
    """Send the plan to the candidate: at least 10 French working days before the visit (§3.6)."""
    if not permissions.can_manage_audit(user, audit):
        raise PermissionDenied
    today = today or timezone.localdate()
    problems = plan_problems(audit, today=today)
    if problems:
        raise ValidationError({"__all__": problems})
    with transaction.atomic():
        _transition(audit, SEND_PLAN, actor=user, plan_sent_at=timezone.now())
        deadlines_close(audit, kinds=[DeadlineKind.AUDIT_PLAN])
        # The report is due 21 days after the visit (§3.7.1): the body's deadline, escalated when it passes.
        deadline_set(
            key=f"audit:{audit.pk}:report",
            kind=DeadlineKind.REPORT,
            subject=audit,
            due_on=rules.report_due(audit.visit_end),
            actor=Actor.BODY,
            today=today,
        )
    emails = service_staff_emails(audit.candidate) + list(
        audit.assignments.filter(status=AssignmentStatus.ASSIGNED).values_list("auditor__email", flat=True)
    )
    transaction.on_commit(
        lambda: send_templated_email(to=emails, template="audit_plan_sent", context={"audit": audit})
    )
    return audit


def audit_reschedule(*, user, audit: Audit, reason: str) -> Audit:
    """Take a sent plan back to preparation (postponement) while nothing has been graded; the candidate is told."""
    if not permissions.can_manage_audit(user, audit):
        raise PermissionDenied
    reason = _text(reason, "reason", max_length=2_000)
    if Grade.objects.filter(audit=audit).exists():
        raise ValidationError({"__all__": _("L’audit a commencé : il ne peut plus être reprogrammé.")})
    _transition(audit, RESCHEDULE, actor=user, reason=reason, plan_sent_at=None)
    deadlines_close(audit, kinds=[DeadlineKind.REPORT], status=DeadlineStatus.CANCELLED)
    emails = service_staff_emails(audit.candidate)
    transaction.on_commit(
        lambda: send_templated_email(
            to=emails, template="audit_rescheduled", context={"audit": audit, "reason": reason}
        )
    )
    return audit


# --- Grading on site (§3.7) ---------------------------------------------------------------------------------------


class GradingRefused(Exception):
    """The whole batch is refused (grades locked, audit not started, central audit waiting for its locals)."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


def allowed_points(audit: Audit) -> tuple[Decimal, ...]:
    points = rules.CENTRAL_POINTS if audit.is_central else rules.LOCAL_POINTS
    return tuple(Decimal(str(value)) for value in points)


def _out_of_scale(allowed: tuple[Decimal, ...]) -> str:
    """Says which notes the scale has: « 0, 0,25, 0,75 ou 1 » (local grid) or « 0 ou 1 » (central grid)."""
    *others, last = [number_format(value.normalize()) for value in allowed]
    return _("Note hors de l’échelle : %(values)s ou %(last)s.") % {"values": ", ".join(others), "last": last}


def _parse_op(raw, allowed: tuple[Decimal, ...]) -> dict:
    """One operation as sent by the tablet, checked; raises ValueError with a French message."""
    if not isinstance(raw, dict):
        raise ValueError(_("Opération illisible."))
    try:
        op_id = uuid.UUID(str(raw.get("op")))
    except ValueError:
        raise ValueError(_("Identifiant d’opération invalide.")) from None
    checkpoint = raw.get("checkpoint")
    if not isinstance(checkpoint, int) or isinstance(checkpoint, bool):
        raise ValueError(_("Point de contrôle inconnu."))
    points = raw.get("points")
    if points is not None:
        try:
            points = Decimal(str(points))
        except ArithmeticError:
            raise ValueError(_out_of_scale(allowed)) from None
        # NaN and infinities are on no scale (and a signalling NaN cannot even be compared).
        if not points.is_finite() or points not in allowed:
            raise ValueError(_out_of_scale(allowed))
        points = next(value for value in allowed if value == points)
    comment = raw.get("comment", "")
    if not isinstance(comment, str) or len(comment) > COMMENT_MAX_LENGTH:
        raise ValueError(_("Commentaire de %(max)s caractères au plus.") % {"max": COMMENT_MAX_LENGTH})
    base_version = raw.get("base_version", 0)
    if (
        not isinstance(base_version, int)
        or isinstance(base_version, bool)
        or not 0 <= base_version <= MAX_VERSION
    ):
        raise ValueError(_("Version de départ invalide."))
    graded_at = None
    if raw.get("graded_at"):
        try:
            graded_at = datetime.datetime.fromisoformat(str(raw["graded_at"]).replace("Z", "+00:00"))
        except ValueError:
            graded_at = None
        if graded_at is not None and timezone.is_naive(graded_at):
            graded_at = timezone.make_aware(graded_at, datetime.UTC)
    return {
        "op_id": op_id,
        "checkpoint": checkpoint,
        "points": points,
        "comment": comment.strip(),
        "base_version": base_version,
        "graded_at": graded_at,
    }


def _server_value(grade: Grade | None, names: dict) -> dict | None:
    if grade is None:
        return None
    return {
        "points": None if grade.points is None else str(grade.points.normalize()),
        "comment": grade.comment,
        "version": grade.version,
        "by": names.get(grade.updated_by_id, ""),
        "at": grade.updated_at.isoformat(),
    }


def audit_grade_batch(*, user, audit_id: int, device_id: str, ops: list) -> list[dict]:
    """Store the grades a tablet sends: one tap, or up to 200 queued offline, in one transaction.

    Each operation carries an identifier made on the device (`op`) and the version of the grade it was based on.
    - Replaying an operation already received changes nothing and answers what it answered the first time.
    - An operation based on an older version, when another device changed the checkpoint meanwhile to another
      value, is a conflict: nothing is overwritten, and the answer carries the server's value so that a person
      chooses. A device superseding its own earlier grade is not a conflict.
    Raises GradingRefused when the audit does not accept grades (not started, locked by the report, central audit
    waiting for its locals) and Audit.DoesNotExist when `user` is not assigned to it (a 404 for the view).
    The query count does not depend on the batch's size.
    """
    device_id = (device_id or "").strip()[:DEVICE_ID_MAX_LENGTH]
    if not device_id:
        raise GradingRefused(_("Appareil non identifié."), code="invalid")
    if not isinstance(ops, list) or not ops:
        raise GradingRefused(_("Aucune note à enregistrer."), code="invalid")
    if len(ops) > MAX_BATCH:
        raise GradingRefused(_("%(max)s notes au plus par envoi.") % {"max": MAX_BATCH}, code="invalid")
    with transaction.atomic():
        # Locking the audit serialises the batches of one audit, and the report's sending with them.
        audit = Audit.objects.assigned_to(user).select_for_update(of=("self",)).get(pk=audit_id)
        if audit.status in RESULT_STATUSES:
            raise GradingRefused(
                _("Le rapport a été envoyé : les notes sont verrouillées et ne peuvent plus changer."),
                code="locked",
            )
        if audit.status not in GRADABLE_STATUSES:
            raise GradingRefused(_("Le plan d’audit n’a pas encore été envoyé."), code="not_started")
        if audit.status == AuditStatus.PLAN_SENT:
            blocker = central_audit_blocker(audit)
            if blocker:
                raise GradingRefused(blocker, code="waiting")
        allowed = allowed_points(audit)
        parsed: list[dict | str] = []
        for raw in ops:
            try:
                parsed.append(_parse_op(raw, allowed))
            except ValueError as error:
                parsed.append(str(error))
        valid = [op for op in parsed if isinstance(op, dict)]
        known_ops = {
            op.op_id: op
            for op in GradeOperation.objects.filter(op_id__in=[op["op_id"] for op in valid]).only(
                "op_id", "audit_id", "checkpoint_id", "outcome", "resulting_version"
            )
        }
        grid_checkpoints = set(
            Checkpoint.objects.filter(grid_id=audit.grid_id, pk__in={op["checkpoint"] for op in valid})
            .order_by()
            .values_list("pk", flat=True)
        )
        grades = {
            grade.checkpoint_id: grade
            for grade in Grade.objects.filter(audit=audit, checkpoint_id__in=grid_checkpoints)
            .select_related("updated_by")
            .order_by()
        }
        names = {grade.updated_by_id: grade.updated_by.get_full_name() for grade in grades.values()}
        names[user.pk] = user.get_full_name()
        now = timezone.now()
        results, new_ops, changed = [], [], {}
        seen_in_batch: set = set()
        for raw, op in zip(ops, parsed, strict=True):
            if isinstance(op, str):
                op_ref = raw.get("op") if isinstance(raw, dict) else None
                results.append({"op": op_ref, "status": "invalid", "message": op})
                continue
            key = str(op["op_id"])
            known = known_ops.get(op["op_id"])
            if known is not None or op["op_id"] in seen_in_batch:
                if known is not None and (
                    known.audit_id != audit.pk or known.checkpoint_id != op["checkpoint"]
                ):
                    results.append(
                        {
                            "op": key,
                            "status": "invalid",
                            "message": _("Identifiant d’opération déjà utilisé."),
                        }
                    )
                    continue
                current = grades.get(op["checkpoint"])
                outcome = known.outcome if known is not None else GradeOutcome.APPLIED
                entry = {"op": key, "status": outcome, "replayed": True, "checkpoint": op["checkpoint"]}
                entry["version"] = current.version if current else 0
                if outcome == GradeOutcome.CONFLICT:
                    entry["server"] = _server_value(current, names)
                results.append(entry)
                continue
            if op["checkpoint"] not in grid_checkpoints:
                results.append({"op": key, "status": "invalid", "message": _("Point de contrôle inconnu.")})
                continue
            seen_in_batch.add(op["op_id"])
            current = grades.get(op["checkpoint"])
            current_version = current.version if current else 0
            same_value = (
                current is not None and current.points == op["points"] and current.comment == op["comment"]
            )
            if same_value:
                outcome, version = GradeOutcome.APPLIED, current_version
            elif op["base_version"] == current_version or current is None or current.device_id == device_id:
                version = current_version + 1
                if current is None:
                    current = Grade(audit=audit, checkpoint_id=op["checkpoint"])
                    grades[op["checkpoint"]] = current
                current.points = op["points"]
                current.comment = op["comment"]
                current.version = version
                current.device_id = device_id
                current.updated_by = user
                current.updated_at = now
                changed[op["checkpoint"]] = current
                outcome = GradeOutcome.APPLIED
            else:
                outcome, version = GradeOutcome.CONFLICT, current_version
            new_ops.append(
                GradeOperation(
                    op_id=op["op_id"],
                    audit=audit,
                    checkpoint_id=op["checkpoint"],
                    device_id=device_id,
                    points=op["points"],
                    comment=op["comment"],
                    base_version=op["base_version"],
                    outcome=outcome,
                    resulting_version=version,
                    author=user,
                    graded_at=op["graded_at"],
                    received_at=now,
                )
            )
            entry = {"op": key, "status": outcome, "checkpoint": op["checkpoint"], "version": version}
            if outcome == GradeOutcome.CONFLICT:
                entry["server"] = _server_value(current, names)
                entry["yours"] = {
                    "points": None if op["points"] is None else str(op["points"].normalize()),
                    "comment": op["comment"],
                }
            results.append(entry)
        if new_ops:
            GradeOperation.objects.bulk_create(new_ops)
        if changed:
            # Fresh rows without primary keys: one INSERT … ON CONFLICT for new and changed grades alike.
            Grade.objects.bulk_create(
                [
                    Grade(
                        audit=audit,
                        checkpoint_id=grade.checkpoint_id,
                        points=grade.points,
                        comment=grade.comment,
                        version=grade.version,
                        device_id=grade.device_id,
                        updated_by=user,
                        updated_at=now,
                    )
                    for grade in changed.values()
                ],
                update_conflicts=True,
                unique_fields=["audit", "checkpoint"],
                update_fields=["points", "comment", "version", "device_id", "updated_by", "updated_at"],
            )
            if audit.status == AuditStatus.PLAN_SENT:
                _transition(audit, START, actor=user)
    return results


def audit_photo_add(*, user, audit: Audit, checkpoint_id: int, op_id, uploaded_file) -> EvidencePhoto:
    """Attach a photo taken on site to a checkpoint. Sent again with the same `op_id`, it is stored once."""
    if not permissions.can_grade(user, audit):
        raise PermissionDenied
    if audit.status not in GRADABLE_STATUSES:
        raise ValidationError({"photo": _("Les photos ne peuvent être ajoutées que pendant l’audit.")})
    try:
        op_id = uuid.UUID(str(op_id))
    except ValueError:
        raise ValidationError({"photo": _("Identifiant d’envoi invalide.")}) from None
    existing = EvidencePhoto.objects.filter(op_id=op_id).first()
    if existing is not None:
        if existing.audit_id != audit.pk:
            raise ValidationError({"photo": _("Identifiant d’envoi déjà utilisé.")})
        return existing
    checkpoint = Checkpoint.objects.filter(grid_id=audit.grid_id, pk=checkpoint_id).first()
    if checkpoint is None:
        raise ValidationError({"checkpoint": _("Point de contrôle inconnu.")})
    try:
        checked = check_upload(
            uploaded_file, allowed=PHOTO_TYPES, max_bytes=PHOTO_MAX_BYTES, formats=_("JPEG, PNG ou WebP")
        )
    except ValidationError as error:
        raise ValidationError({"photo": error.messages}) from None
    try:
        with transaction.atomic():
            photo = EvidencePhoto(
                op_id=op_id,
                audit=audit,
                checkpoint=checkpoint,
                content_type=checked.content_type,
                size=checked.size,
                sha256=checked.sha256,
                uploaded_by=user,
            )
            photo.file.save(checked.name, uploaded_file, save=False)
            photo.save()
    except IntegrityError:
        return EvidencePhoto.objects.get(op_id=op_id)
    return photo


def audit_closing_record(*, user, audit: Audit, summary: str) -> Audit:
    """The auditor records the hot summary given at the closing meeting on site (§3.7)."""
    if not permissions.can_grade(user, audit):
        raise PermissionDenied
    if audit.status not in GRADABLE_STATUSES:
        raise ValidationError({"__all__": _("La réunion de clôture se tient pendant l’audit.")})
    summary = _text(summary, "closing_summary")
    with transaction.atomic():
        audit.closing_summary = summary
        audit.closing_meeting_at = audit.closing_meeting_at or timezone.now()
        audit.save(update_fields=["closing_summary", "closing_meeting_at"])
        _log(audit, name="closing_meeting", actor=user)
    return audit


# --- The report (§3.7.1) ------------------------------------------------------------------------------------------

REPORT_FIELDS = (
    "report_presentation",
    "report_synthesis",
    "report_illustrations",
    "report_strengths",
    "report_improvements",
)


def audit_report_save(*, user, audit: Audit, **fields) -> Audit:
    if not permissions.can_write_report(user, audit):
        raise PermissionDenied
    if audit.report_sent_at is not None:
        raise ValidationError({"__all__": _("Le rapport est envoyé : il ne change plus.")})
    cleaned = {name: _text(fields.get(name, ""), name, required=False) for name in REPORT_FIELDS}
    with transaction.atomic():
        for name, value in cleaned.items():
            setattr(audit, name, value)
        audit.save(update_fields=list(REPORT_FIELDS))
    return audit


def report_problems(audit: Audit, grades: dict) -> list[str]:
    """What still prevents sending the report ([] when it can be sent)."""
    problems = []
    missing = [code for code, points in grades.items() if points is None]
    if missing:
        problems.append(
            _("Notez chaque point de contrôle (%(count)s sans note : %(codes)s).")
            % {"count": len(missing), "codes": ", ".join(missing[:10]) + ("…" if len(missing) > 10 else "")}
        )
    if audit.closing_meeting_at is None:
        problems.append(_("Enregistrez la synthèse de la réunion de clôture."))
    labels = {name: str(Audit._meta.get_field(name).verbose_name) for name in REPORT_FIELDS}
    for name in REPORT_FIELDS:
        if not getattr(audit, name):
            problems.append(_("Rédigez la partie « %(part)s » du rapport.") % {"part": labels[name]})
    return problems


def audit_report_send(*, user, audit: Audit) -> Audit:
    """Render the report as PDF, store it with its SHA-256, send it to the candidate: from then on the grades are
    locked (§3.7.1)."""
    from audits.report_context import report_context
    from audits.selectors import audit_scores, grade_points_by_code
    from labelsp.pdf import render_pdf

    if not permissions.can_write_report(user, audit):
        raise PermissionDenied
    with transaction.atomic():
        audit = Audit.objects.select_for_update(of=("self",)).get(pk=audit.pk)
        problems = report_problems(audit, grade_points_by_code(audit))
        if audit.status != AuditStatus.IN_PROGRESS:
            problems.insert(0, _("Seul un audit en cours peut donner lieu à l’envoi du rapport."))
        if problems:
            raise ValidationError({"__all__": problems})
        sent_at = timezone.now()
        pdf = render_pdf(
            "pdf/audit_report.html",
            {"audit": audit, "scores": audit_scores(audit), "sent_at": sent_at, **report_context(audit)},
        )
        audit.report_pdf.save(f"rapport-audit-{audit.pk}.pdf", ContentFile(pdf), save=False)
        Audit.objects.filter(pk=audit.pk).update(report_pdf=audit.report_pdf.name)
        _transition(
            audit,
            SEND_REPORT,
            actor=user,
            report_sent_at=sent_at,
            report_sha256=hashlib.sha256(pdf).hexdigest(),
        )
        deadlines_close(audit, kinds=[DeadlineKind.REPORT])
        deadline_set(
            key=f"audit:{audit.pk}:observations",
            kind=DeadlineKind.OBSERVATIONS,
            subject=audit,
            due_on=rules.observations_due(timezone.localdate(sent_at)),
            actor=Actor.CANDIDATE,
        )
    emails = service_staff_emails(audit.candidate)
    transaction.on_commit(
        lambda: send_templated_email(to=emails, template="audit_report_sent", context={"audit": audit})
    )
    return audit


def observations_open(audit: Audit, *, today: datetime.date | None = None) -> bool:
    if audit.status != AuditStatus.REPORT_SENT or audit.report_sent_at is None:
        return False
    today = today or timezone.localdate()
    return today <= rules.observations_due(timezone.localdate(audit.report_sent_at))


def observation_add(*, user, audit: Audit, text: str, today: datetime.date | None = None) -> Observation:
    """The candidate's observations on the report: within 10 days of its receipt; they never change a grade."""
    if not permissions.can_answer_report(user, audit):
        raise PermissionDenied
    if not observations_open(audit, today=today):
        raise ValidationError({"text": _("Le délai de 10 jours pour formuler des observations est écoulé.")})
    text = _text(text, "text")
    with transaction.atomic():
        observation = Observation.objects.create(audit=audit, text=text, author=user)
        _log(audit, name="observations", actor=user)
    return observation


def corrective_action_propose(
    *, user, audit: Audit, checkpoint_id: int, proposal: str, today: datetime.date | None = None
) -> CorrectiveAction:
    """A central candidate proposes a corrective action on a checkpoint not validated, within 10 days (§3.9.2)."""
    if not audit.is_central or not permissions.can_answer_report(user, audit):
        raise PermissionDenied
    if not observations_open(audit, today=today):
        raise ValidationError(
            {"proposal": _("Le délai de 10 jours pour proposer des actions correctives est écoulé.")}
        )
    grade = Grade.objects.filter(audit=audit, checkpoint_id=checkpoint_id).first()
    if grade is None or grade.points != 0:
        raise ValidationError({"checkpoint": _("Choisissez un point de contrôle non validé.")})
    proposal = _text(proposal, "proposal")
    try:
        with transaction.atomic():
            action = CorrectiveAction.objects.create(
                audit=audit, checkpoint_id=checkpoint_id, proposal=proposal, proposed_by=user
            )
            _log(audit, name="corrective_action", actor=user)
    except IntegrityError:
        raise ValidationError(
            {"checkpoint": _("Une action corrective est déjà proposée pour ce point de contrôle.")}
        ) from None
    return action


def corrective_action_judge(
    *, user, action: CorrectiveAction, accepted: bool, comment: str
) -> CorrectiveAction:
    """The auditor accepts or refuses a proposed corrective action, with a reason; the grade does not change."""
    if not permissions.is_assigned(user, action.audit):
        raise PermissionDenied
    if action.audit.status != AuditStatus.REPORT_SENT:
        raise ValidationError(
            {"__all__": _("Le dossier est transmis pour décision : l’avis ne change plus.")}
        )
    comment = _text(comment, "judgement_comment", max_length=2_000)
    with transaction.atomic():
        moved = CorrectiveAction.objects.filter(pk=action.pk, judgement=CorrectiveJudgement.PENDING).update(
            judgement=CorrectiveJudgement.ACCEPTED if accepted else CorrectiveJudgement.REJECTED,
            judgement_comment=comment,
            judged_by=user,
            judged_at=timezone.now(),
        )
        if not moved:
            raise ValidationError({"__all__": _("Cette action corrective a déjà été examinée.")})
        _log(action.audit, name="judge_corrective_action", actor=user, reason=comment)
    action.refresh_from_db()
    return action


def close_problems(audit: Audit, *, today: datetime.date | None = None) -> list[str]:
    problems = []
    if audit.status != AuditStatus.REPORT_SENT:
        return [_("Le rapport n’a pas encore été envoyé.")]
    if observations_open(audit, today=today):
        problems.append(
            _("Le candidat peut encore répondre au rapport jusqu’au %(date)s.")
            % {"date": date_format(rules.observations_due(timezone.localdate(audit.report_sent_at)), "j F Y")}
        )
    if audit.corrective_actions.filter(judgement=CorrectiveJudgement.PENDING).exists():
        problems.append(_("Donnez votre avis sur chaque action corrective proposée."))
    return problems


def audit_close(*, user, audit: Audit, today: datetime.date | None = None) -> Audit:
    """Once the candidate's 10 days are over and every corrective action judged, the complete file goes to the
    certification body for decision."""
    if not permissions.can_follow_up_report(user, audit):
        raise PermissionDenied
    problems = close_problems(audit, today=today)
    if problems:
        raise ValidationError({"__all__": problems})
    return _transition(audit, CLOSE, actor=user, closed_at=timezone.now())


def audits_waiting_for(user):
    """Proposals waiting for `user`'s no-conflict declaration."""
    return AuditAssignment.objects.filter(auditor=user, status=AssignmentStatus.PROPOSED).select_related(
        "audit__local_service", "audit__central_service"
    )
