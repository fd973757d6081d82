"""The certification body's side of the application file: its inbox, the completeness check, the closing (§3.5.2)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from candidates import permissions, rules, services
from candidates.enums import REQUIRED_PIECES, ApplicationStatus, ChecklistItem, DocumentPiece
from candidates.forms.review import (
    REQUEST_COMPLEMENTS,
    CloseForm,
    ReviewForm,
    comment_field_name,
    ok_field_name,
)
from candidates.models import Application
from labelsp.accounts.enums import Role
from labelsp.forms import add_service_errors

S = ApplicationStatus
APPLICATIONS_PER_PAGE = 50
# The files the body has to act on: they come first in its inbox.
WAITING_FOR_BODY = (S.SUBMITTED, S.RESUBMITTED)
REVIEWABLE = WAITING_FOR_BODY
BODY_ROLES = (Role.AUDITOR, Role.CB_MANAGER)


def _submission_check(application) -> dict | None:
    """The last day the file could be filed for its proposed audit (§3.5.1) and whether it was filed by then."""
    if not application.audit_start:
        return None
    last_day = rules.latest_submission_date(application.audit_start)
    submitted_on = timezone.localtime(application.submitted_at).date() if application.submitted_at else None
    return {"last_day": last_day, "in_time": submitted_on is not None and submitted_on <= last_day}


@require_GET
def inbox(request):
    """The files filed with the user's certification body (never drafts), those waiting for it first."""
    membership = request.membership
    if membership is None or membership.role not in BODY_ROLES:
        raise Http404
    applications = (
        Application.objects.for_user(request.user)
        .filter(certification_body_id=membership.certification_body_id)
        .exclude(status=S.DRAFT)
        .select_related("local_service", "central_service")
        .annotate(
            priority=Case(
                When(status__in=WAITING_FOR_BODY, then=Value(0)),
                When(status=S.CLOSED, then=Value(2)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("priority", "submitted_at", "pk")
    )
    status_choices = [(value, label) for value, label in S.choices if value != S.DRAFT]
    status = request.GET.get("status", "")
    if status in dict(status_choices):
        applications = applications.filter(status=status)
    else:
        status = ""
    query = request.GET.get("q", "").strip()[:100]
    if query:
        applications = applications.filter(
            Q(local_service__name__icontains=query) | Q(central_service__name__icontains=query)
        )
    page = Paginator(applications, APPLICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    for application in page.object_list:
        application.submission_check = _submission_check(application)
    return render(
        request,
        "candidates/review/inbox.html",
        {
            "body": membership.certification_body,
            "page_obj": page,
            "query": query,
            "status": status,
            "status_choices": status_choices,
        },
    )


def _get_application(request, pk) -> Application:
    return get_object_or_404(
        Application.objects.for_user(request.user).select_related(
            "local_service", "central_service", "certification_body", "central_application"
        ),
        pk=pk,
    )


def _may_manage(request, application) -> bool:
    """Whether the user may review `application` (True) or only read it (False); raises PermissionDenied otherwise.

    The user acts through their active membership, which must be of the file's body: a person who is also a
    candidate never reviews while acting as one.
    """
    membership = request.membership
    if (
        membership is None
        or membership.role not in BODY_ROLES
        or membership.certification_body_id != application.certification_body_id
        or not permissions.is_member_of_body(request.user, application.certification_body)
    ):
        raise PermissionDenied
    return membership.role == Role.CB_MANAGER and permissions.can_review_application(
        request.user, application
    )


def _render_review(request, application, *, manager: bool, review_form=None, close_form=None):
    if manager and review_form is None and application.status in REVIEWABLE:
        review_form = ReviewForm(initial=ReviewForm.initial_from(application.checklist.all()))
    if manager and close_form is None and application.status == S.ACKNOWLEDGED:
        close_form = CloseForm()
    documents = list(services.current_documents(application).order_by("piece", "-uploaded_at"))
    present = {document.piece for document in documents}
    entries = {entry.item: entry for entry in application.checklist.select_related("checked_by")}
    contract_problem = services.contract_problem(application)
    checklist = [
        {
            "item": item,
            "label": item.label,
            "entry": entries.get(item.value),
            "ok_field": review_form[ok_field_name(item)] if review_form else None,
            "comment_field": review_form[comment_field_name(item)] if review_form else None,
            "is_contract": item == ChecklistItem.CONTRACT,
        }
        for item in ChecklistItem
    ]
    return render(
        request,
        "candidates/review/application_review.html",
        {
            "application": application,
            "manager": manager,
            "submission_check": _submission_check(application),
            "documents": documents,
            "missing_pieces": [
                DocumentPiece(piece).label for piece in REQUIRED_PIECES if piece not in present
            ],
            "thread": application.messages.select_related("author"),
            "checklist": checklist,
            "contract_problem": contract_problem,
            "review_form": review_form,
            "close_form": close_form,
            # The audit of an acknowledged file (issue #5): created here by the body's manager.
            "audit": application.audits.first(),
        },
    )


@require_http_methods(["GET", "POST"])
def application_review(request, pk):
    """The body's managers check the file's completeness, then ask for complements or acknowledge it (§3.5.2)."""
    application = _get_application(request, pk)
    manager = _may_manage(request, application)
    if request.method == "GET":
        return _render_review(request, application, manager=manager)
    if not manager:
        raise PermissionDenied
    form = ReviewForm(request.POST)
    if form.is_valid():
        checklist = form.checklist()
        try:
            if form.cleaned_data["action"] == REQUEST_COMPLEMENTS:
                services.application_request_complements(
                    user=request.user,
                    application=application,
                    message=form.cleaned_data["message"],
                    checklist=checklist,
                )
                success = _("Votre demande de compléments a été envoyée au candidat.")
            else:
                services.application_acknowledge(
                    user=request.user, application=application, checklist=checklist
                )
                success = _("Le dossier est déclaré recevable : le candidat en est informé.")
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, success)
            return redirect("candidates:application_review", pk=application.pk)
    return _render_review(request, application, manager=True, review_form=form)


@require_POST
def application_close(request, pk):
    """The body closes an acknowledged file once its audit and decision are done; a refusal is dated (§3.8.1)."""
    application = _get_application(request, pk)
    if not _may_manage(request, application):
        raise PermissionDenied
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.application_close(
                user=request.user,
                application=application,
                outcome=form.cleaned_data["outcome"],
                reason=form.cleaned_data["reason"].strip(),
                refusal_notified_on=form.cleaned_data["refusal_notified_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Le dossier est clos."))
            return redirect("candidates:application_review", pk=application.pk)
    return _render_review(request, application, manager=True, close_form=form)
