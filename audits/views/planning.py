"""Planning an audit (issue #5, « Planning »; guide §3.3, §3.6): the audits list, creation from an acknowledged
file, the team and its no-conflict declarations, the recorded draws, the plan and its sending."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audits import permissions, rules, services
from audits.enums import GRADABLE_STATUSES, RESULT_STATUSES, AssignmentStatus, AuditStatus, DrawKind
from audits.forms.planning import DeclarationForm, DrawForm, PlanForm, ProposeAuditorForm, RescheduleForm
from audits.models import Audit, AuditAssignment, SamplingDraw
from candidates.models import Application
from labelsp.accounts.enums import Role
from labelsp.accounts.scoping import sees_everything
from labelsp.forms import add_service_errors, message_service_errors

AUDITS_PER_PAGE = 50
# The audit's log, as people read it.
LOG_LABELS = {
    "create": _lazy("Audit créé"),
    "propose_auditor": _lazy("Auditeur proposé"),
    "declare_no_conflict": _lazy("Déclaration d’absence de conflit d’intérêts signée"),
    "declare_conflict": _lazy("Conflit d’intérêts déclaré"),
    "remove_auditor": _lazy("Auditeur retiré"),
    "draw_locals": _lazy("Tirage au sort des services locaux"),
    "draw_sites": _lazy("Tirage au sort des sites"),
    "send_plan": _lazy("Plan d’audit envoyé"),
    "reschedule": _lazy("Audit reporté"),
    "start": _lazy("Première note saisie"),
    "closing_meeting": _lazy("Réunion de clôture enregistrée"),
    "send_report": _lazy("Rapport envoyé"),
    "observations": _lazy("Observations du candidat"),
    "corrective_action": _lazy("Action corrective proposée"),
    "judge_corrective_action": _lazy("Avis sur une action corrective"),
    "close": _lazy("Dossier transmis pour décision"),
}


def _audits(request):
    return Audit.objects.for_user(request.user)


@require_GET
def audit_list(request):
    """The audits the user may see: a body's (managers), one's own (auditors), a service's (candidates), all
    (DITP). Proposals waiting for the auditor's declaration come first."""
    membership = request.membership
    if not sees_everything(request.user) and (membership is None or membership.role == Role.COMMISSION):
        raise Http404
    audits = _audits(request).select_related("local_service", "central_service", "certification_body")
    if membership is not None and membership.certification_body_id:
        audits = audits.filter(certification_body_id=membership.certification_body_id)
    status = request.GET.get("status", "")
    if status in AuditStatus.values:
        audits = audits.filter(status=status)
    else:
        status = ""
    page = Paginator(audits.order_by("visit_start", "-created_at", "-pk"), AUDITS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "audits/planning/list.html",
        {
            "page": page,
            "status": status,
            "status_choices": AuditStatus.choices,
            "waiting_declarations": list(services.audits_waiting_for(request.user)),
        },
    )


@require_POST
def audit_create(request, application_pk):
    application = get_object_or_404(
        Application.objects.for_user(request.user).select_related("certification_body"), pk=application_pk
    )
    try:
        audit = services.audit_create(user=request.user, application=application)
    except ValidationError as error:
        message_service_errors(request, error)
        existing = application.audits.first()
        if existing is not None:
            return redirect("audits:audit_detail", existing.pk)
        return redirect("candidates:application_review", application.pk)
    messages.success(request, _("L’audit est créé : composez l’équipe d’audit, puis préparez le plan."))
    return redirect("audits:audit_detail", audit.pk)


def _detail_context(request, audit, **forms):
    user = request.user
    can_manage = permissions.can_manage_audit(user, audit)
    today = timezone.localdate()
    assignments = list(audit.assignments.select_related("auditor").order_by("-is_lead", "proposed_at", "pk"))
    draws = list(audit.draws.all())
    context = {
        "audit": audit,
        "can_manage": can_manage,
        "is_assigned": any(
            a.auditor_id == user.pk and a.status == AssignmentStatus.ASSIGNED for a in assignments
        ),
        "my_proposal": next(
            (a for a in assignments if a.auditor_id == user.pk and a.status == AssignmentStatus.PROPOSED),
            None,
        ),
        "assignments": assignments,
        "can_grade_now": audit.status in GRADABLE_STATUSES,
        "draws": draws,
        "sites": list(audit.sites.order_by("pk")),
        "earliest_visit": rules.first_visit_day(today),
        "network": services.network_results(audit) if audit.is_central else [],
        "central_blocker": services.central_audit_blocker(audit) if audit.is_central else "",
        "log": [
            (entry, LOG_LABELS.get(entry.transition, entry.transition))
            for entry in audit.log.select_related("actor").order_by("-at", "-pk")[:20]
        ],
        "report_due": rules.report_due(audit.visit_end) if audit.visit_end else None,
    }
    if can_manage:
        if audit.status == AuditStatus.PLANNING:
            context["plan_problems"] = services.plan_problems(audit, today=today)
            drawn = {draw.kind for draw in draws}
            kind = DrawKind.LOCALS if audit.is_central else DrawKind.SITES
            if kind not in drawn:
                population, excluded = services.draw_population(audit, kind)
                eligible = len(population) - len(excluded)
                minimum = min(rules.sample_size(len(population)), eligible)
                context["draw_offer"] = {
                    "kind": kind,
                    "population": len(population),
                    "excluded": len(excluded),
                    "eligible": eligible,
                    "minimum": minimum,
                }
                context["draw_form"] = forms.get("draw_form") or DrawForm(
                    initial={"kind": kind, "size": minimum}
                )
        if audit.status not in RESULT_STATUSES:
            context["propose_form"] = forms.get("propose_form") or ProposeAuditorForm(
                auditors=services.body_auditors(audit)
            )
        if audit.status == AuditStatus.PLAN_SENT:
            context["reschedule_form"] = forms.get("reschedule_form") or RescheduleForm()
    return context


@require_GET
def audit_detail(request, pk):
    audit = get_object_or_404(
        _audits(request).select_related(
            "local_service", "central_service", "certification_body", "grid", "application", "previous_audit"
        ),
        pk=pk,
    )
    return render(request, "audits/planning/detail.html", _detail_context(request, audit))


def _managed_audit(request, pk):
    audit = get_object_or_404(
        _audits(request).select_related("local_service", "central_service", "certification_body"), pk=pk
    )
    if not permissions.can_manage_audit(request.user, audit):
        raise PermissionDenied
    return audit


@require_http_methods(["GET", "POST"])
def plan_edit(request, pk):
    audit = _managed_audit(request, pk)
    if audit.status != AuditStatus.PLANNING:
        messages.info(request, _("Le plan est envoyé : reprogrammez l’audit pour le modifier."))
        return redirect("audits:audit_detail", audit.pk)
    initial = {
        "visit_start": audit.visit_start,
        "visit_end": audit.visit_end,
        "duration_days": audit.duration_days,
        "resource_persons": audit.resource_persons,
        "agenda": audit.agenda,
    }
    if not audit.is_central:
        initial["sites"] = list(audit.sites.values_list("pk", flat=True))
    form = PlanForm(request.POST or None, audit=audit, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.audit_plan_save(
                user=request.user,
                audit=audit,
                visit_start=data["visit_start"],
                visit_end=data["visit_end"],
                duration_days=data["duration_days"],
                sites=list(data.get("sites") or []),
                resource_persons=data["resource_persons"],
                agenda=data["agenda"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Le plan d’audit est enregistré."))
            return redirect("audits:audit_detail", audit.pk)
    return render(
        request,
        "audits/planning/plan_form.html",
        {"audit": audit, "form": form, "earliest_visit": rules.first_visit_day(timezone.localdate())},
    )


@require_POST
def plan_send(request, pk):
    audit = _managed_audit(request, pk)
    try:
        services.audit_plan_send(user=request.user, audit=audit)
    except ValidationError as error:
        message_service_errors(request, error)
    else:
        messages.success(request, _("Le plan d’audit est envoyé au candidat et à l’équipe d’audit."))
    return redirect("audits:audit_detail", audit.pk)


@require_POST
def plan_reschedule(request, pk):
    audit = _managed_audit(request, pk)
    form = RescheduleForm(request.POST)
    if form.is_valid():
        try:
            services.audit_reschedule(user=request.user, audit=audit, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("L’audit revient en préparation : modifiez le plan puis envoyez-le à nouveau.")
            )
            return redirect("audits:audit_detail", audit.pk)
    return render(
        request,
        "audits/planning/detail.html",
        _detail_context(request, audit, reschedule_form=form),
        status=400,
    )


@require_POST
def assignment_propose(request, pk):
    audit = _managed_audit(request, pk)
    auditors = services.body_auditors(audit)
    form = ProposeAuditorForm(request.POST, auditors=auditors)
    if form.is_valid():
        auditor = next(user for user, _previous in auditors if user.pk == form.cleaned_data["auditor"])
        try:
            services.assignment_propose(
                user=request.user, audit=audit, auditor=auditor, is_lead=form.cleaned_data["is_lead"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "%(name)s est proposé : il sera affecté après avoir signé sa déclaration d’absence de conflit "
                    "d’intérêts."
                )
                % {"name": auditor.get_full_name() or auditor.email},
            )
            return redirect("audits:audit_detail", audit.pk)
    return render(
        request, "audits/planning/detail.html", _detail_context(request, audit, propose_form=form), status=400
    )


@require_http_methods(["GET", "POST"])
def assignment_declare(request, pk):
    """The proposed auditor's no-conflict declaration: signed (dated, its text kept) or a declared conflict."""
    assignment = get_object_or_404(
        AuditAssignment.objects.select_related("audit__local_service", "audit__central_service"),
        pk=pk,
        auditor=request.user,
    )
    audit = assignment.audit
    form = DeclarationForm(request.POST or None)
    if request.method == "POST" and assignment.status == AssignmentStatus.PROPOSED and form.is_valid():
        no_conflict = form.cleaned_data["answer"] == DeclarationForm.NO_CONFLICT
        try:
            services.assignment_declare(
                user=request.user,
                assignment=assignment,
                no_conflict=no_conflict,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if no_conflict:
                messages.success(request, _("Déclaration signée : vous êtes affecté à cet audit."))
            else:
                messages.info(
                    request, _("Conflit d’intérêts déclaré : l’organisme désignera un autre auditeur.")
                )
            return redirect("audits:audit_list")
    return render(
        request,
        "audits/planning/declaration.html",
        {"assignment": assignment, "audit": audit, "form": form, "text": services.declaration_text(audit)},
    )


@require_POST
def assignment_remove(request, pk):
    assignment = get_object_or_404(
        AuditAssignment.objects.select_related("audit__certification_body", "auditor"),
        pk=pk,
        audit__in=_audits(request),
    )
    try:
        services.assignment_remove(user=request.user, assignment=assignment)
    except ValidationError as error:
        message_service_errors(request, error)
    else:
        messages.success(request, _("L’auditeur est retiré de l’audit."))
    return redirect("audits:audit_detail", assignment.audit_id)


@require_POST
def draw_create(request, pk):
    audit = _managed_audit(request, pk)
    form = DrawForm(request.POST)
    if form.is_valid():
        try:
            draw = services.audit_draw(
                user=request.user, audit=audit, kind=form.cleaned_data["kind"], size=form.cleaned_data["size"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Tirage au sort enregistré : sa graine et sa population sont conservées.")
            )
            return redirect("audits:draw_detail", draw.pk)
    return render(
        request, "audits/planning/detail.html", _detail_context(request, audit, draw_form=form), status=400
    )


@require_GET
def draw_detail(request, pk):
    """A recorded draw, re-run on the page from its seed and population: anyone who sees the audit can check it."""
    draw = get_object_or_404(
        SamplingDraw.objects.select_related("audit", "drawn_by"), pk=pk, audit__in=_audits(request)
    )
    replay = services.draw_replay(draw)
    labels = draw.labels
    excluded = set(draw.excluded)
    return render(
        request,
        "audits/planning/draw.html",
        {
            "draw": draw,
            "audit": draw.audit,
            "selected": [(identifier, labels.get(identifier, identifier)) for identifier in draw.selected],
            "population": [
                (identifier, label, identifier in excluded) for identifier, label in draw.population
            ],
            "eligible": [identifier for identifier, _label in draw.population if identifier not in excluded],
            "replay_matches": replay == list(draw.selected),
        },
    )
