"""After the visit (§3.7.1, §3.9.2): the auditor writes and sends the report, the candidate answers it
(observations; corrective actions for a central service), the auditor judges them and sends the file on for
decision. Also the PDFs of the report and of the audit plan (§3.6)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audits import permissions, rules, selectors, services
from audits.enums import CorrectiveJudgement
from audits.forms.report import CorrectiveActionForm, JudgementForm, ObservationForm, ReportForm
from audits.models import Audit, Checkpoint, CorrectiveAction, Grade
from audits.report_context import plan_context, report_context
from labelsp.forms import add_service_errors, message_service_errors
from labelsp.pdf import render_pdf
from labelsp.uploads import serve_private_file


def _get_audit(request, pk) -> Audit:
    return get_object_or_404(
        Audit.objects.for_user(request.user).select_related(
            "local_service", "central_service", "certification_body", "grid"
        ),
        pk=pk,
    )


# --- The auditor writes and sends the report -----------------------------------------------------------------------


def _render_edit(request, audit, form):
    grid = selectors.grid_with_grades(audit, with_previous=False)
    due = rules.report_due(audit.visit_end) if audit.visit_end else None
    sent = audit.report_sent_at is not None
    return render(
        request,
        "audits/report/edit.html",
        {
            "audit": audit,
            "form": form,
            "sent": sent,
            "scores": selectors.audit_scores(audit, grid),
            "due": due,
            "late": due is not None and not sent and timezone.localdate() > due,
            "problems": []
            if sent
            else services.report_problems(audit, selectors.grade_points_by_code(audit)),
        },
    )


@require_http_methods(["GET", "POST"])
def report_edit(request, pk):
    """The assigned auditors write the five parts of the report (§3.7.1); the page shows the scores, the closing
    meeting, the 21-day deadline and what still prevents sending."""
    audit = _get_audit(request, pk)
    if not permissions.can_write_report(request.user, audit):
        raise PermissionDenied
    if request.method == "GET":
        return _render_edit(request, audit, ReportForm(initial=ReportForm.initial_from(audit)))
    form = ReportForm(request.POST)
    if form.is_valid():
        try:
            services.audit_report_save(user=request.user, audit=audit, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Le rapport est enregistré."))
            return redirect("audits:report_edit", pk=audit.pk)
    return _render_edit(request, audit, form)


@require_POST
def report_send(request, pk):
    """Render, store and send the report: the grades are locked from then on."""
    audit = _get_audit(request, pk)
    if not permissions.can_write_report(request.user, audit):
        raise PermissionDenied
    try:
        services.audit_report_send(user=request.user, audit=audit)
    except ValidationError as error:
        message_service_errors(request, error)
        return redirect("audits:report_edit", pk=audit.pk)
    messages.success(request, _("Le rapport est envoyé au candidat : les notes sont désormais verrouillées."))
    return redirect("audits:report_answer", pk=audit.pk)


@require_GET
def report_pdf(request, pk):
    """The report sent, as stored, for whoever sees the audit; before sending, a preview marked « Projet » for the
    audit team and the body's managers only."""
    audit = _get_audit(request, pk)
    if audit.report_sent_at is not None:
        if not audit.report_pdf:
            raise Http404
        return serve_private_file(
            audit.report_pdf, filename=f"rapport-audit-{audit.pk}.pdf", content_type="application/pdf"
        )
    if not (
        permissions.is_assigned(request.user, audit) or permissions.can_manage_audit(request.user, audit)
    ):
        raise Http404
    pdf = render_pdf(
        "pdf/audit_report.html",
        {
            "audit": audit,
            "scores": selectors.audit_scores(audit),
            "sent_at": None,
            **report_context(audit, draft=True),
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="projet-rapport-audit-{audit.pk}.pdf"'
    return response


@require_GET
def plan_pdf(request, pk):
    """The audit plan (§3.6), for whoever sees the audit (the candidate once it is sent)."""
    audit = _get_audit(request, pk)
    response = HttpResponse(
        render_pdf("pdf/audit_plan.html", plan_context(audit)), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="plan-audit-{audit.pk}.pdf"'
    return response


# --- The candidate answers; the auditor judges and sends the file on ----------------------------------------------


def _not_validated(audit) -> list:
    """The checkpoints of a central audit graded « non » with no corrective action yet."""
    proposed = audit.corrective_actions.values("checkpoint_id")
    graded_no = Grade.objects.filter(audit=audit, points=0).exclude(checkpoint_id__in=proposed)
    return list(Checkpoint.objects.filter(pk__in=graded_no.values("checkpoint_id")).order_by("position"))


def _render_answer(request, audit, *, observation_form=None, action_form=None, judge_forms=None):
    user = request.user
    sent = audit.report_sent_at is not None
    may_answer = sent and permissions.can_answer_report(user, audit)
    is_open = services.observations_open(audit)
    may_judge = sent and permissions.is_assigned(user, audit)
    may_close = sent and permissions.can_follow_up_report(user, audit)
    # A bound form is shown again with its errors; an empty one only while the candidate may answer.
    if observation_form is None and may_answer and is_open:
        observation_form = ObservationForm()
    if action_form is None and audit.is_central and may_answer and is_open:
        checkpoints = _not_validated(audit)
        action_form = CorrectiveActionForm(checkpoints=checkpoints) if checkpoints else None
    actions = list(
        audit.corrective_actions.select_related("checkpoint", "proposed_by", "judged_by").order_by(
            "checkpoint__position"
        )
    )
    judge_forms = judge_forms or {}
    for action in actions:
        action.judge_form = None
        if may_judge and action.judgement == CorrectiveJudgement.PENDING and audit.closed_at is None:
            action.judge_form = judge_forms.get(action.pk) or JudgementForm(prefix=f"action-{action.pk}")
    return render(
        request,
        "audits/report/answer.html",
        {
            "audit": audit,
            "sent": sent,
            "due": rules.observations_due(timezone.localdate(audit.report_sent_at)) if sent else None,
            "is_open": is_open,
            "may_answer": may_answer,
            "may_close": may_close and audit.closed_at is None,
            "may_write": permissions.can_write_report(user, audit),
            "close_problems": services.close_problems(audit) if may_close and audit.closed_at is None else [],
            "observations": audit.observations.select_related("author"),
            "actions": actions,
            "observation_form": observation_form,
            "action_form": action_form,
        },
    )


@require_http_methods(["GET", "POST"])
def report_answer(request, pk):
    """The report once sent: the candidate reads it and, within 10 days, sends observations (they never change a
    grade, §3.7.1); everyone who sees the audit reads the answers and the auditor's opinions."""
    audit = _get_audit(request, pk)
    if request.method == "GET":
        return _render_answer(request, audit)
    if not permissions.can_answer_report(request.user, audit):
        raise PermissionDenied
    form = ObservationForm(request.POST)
    if form.is_valid():
        try:
            services.observation_add(user=request.user, audit=audit, text=form.cleaned_data["text"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Vos observations sont envoyées ; elles sont jointes au rapport."))
            return redirect("audits:report_answer", pk=audit.pk)
    return _render_answer(request, audit, observation_form=form)


@require_POST
def corrective_action_propose(request, pk):
    """A central candidate proposes a corrective action on a checkpoint not validated, within 10 days (§3.9.2)."""
    audit = _get_audit(request, pk)
    if not (audit.is_central and permissions.can_answer_report(request.user, audit)):
        raise PermissionDenied
    form = CorrectiveActionForm(request.POST, checkpoints=_not_validated(audit))
    if form.is_valid():
        try:
            services.corrective_action_propose(
                user=request.user,
                audit=audit,
                checkpoint_id=form.cleaned_data["checkpoint"],
                proposal=form.cleaned_data["proposal"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Votre action corrective est transmise à l’auditeur."))
            return redirect("audits:report_answer", pk=audit.pk)
    return _render_answer(request, audit, action_form=form)


@require_POST
def corrective_action_judge(request, pk):
    """The assigned auditor accepts or refuses a corrective action, with its reason (§3.9.2)."""
    action = get_object_or_404(
        CorrectiveAction.objects.filter(audit__in=Audit.objects.for_user(request.user)).select_related(
            "audit", "checkpoint"
        ),
        pk=pk,
    )
    audit = action.audit
    if not permissions.is_assigned(request.user, audit):
        raise PermissionDenied
    form = JudgementForm(request.POST, prefix=f"action-{action.pk}")
    if form.is_valid():
        try:
            services.corrective_action_judge(
                user=request.user,
                action=action,
                accepted=form.accepted,
                comment=form.cleaned_data["judgement_comment"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Votre avis sur l’action corrective du point %(code)s est enregistré.")
                % {"code": action.checkpoint.code},
            )
            return redirect("audits:report_answer", pk=audit.pk)
    return _render_answer(request, audit, judge_forms={action.pk: form})


@require_POST
def audit_close(request, pk):
    """« Transmettre le dossier pour décision »: once the candidate's 10 days are over and every corrective action
    judged."""
    audit = _get_audit(request, pk)
    if not permissions.can_follow_up_report(request.user, audit):
        raise PermissionDenied
    try:
        services.audit_close(user=request.user, audit=audit)
    except ValidationError as error:
        message_service_errors(request, error)
    else:
        messages.success(
            request, _("Le dossier complet est transmis à l’organisme de certification pour décision.")
        )
    return redirect("audits:report_answer", pk=audit.pk)
