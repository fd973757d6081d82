"""The DITP's questionnaire versions (issue #4, « Questionnaires as versioned data »): list both kinds' versions,
read one, publish a new one from a JSON file (docs/questionnaire-format.md).

Only the DITP sees these pages; everyone else gets 404.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from labelsp.accounts.scoping import sees_everything
from labelsp.forms import add_service_errors
from surveys.enums import COMMITMENT_LABELS, SurveyKind
from surveys.forms.questionnaires import QuestionnaireUploadForm
from surveys.models import Questionnaire
from surveys.services_questionnaires import questionnaire_publish


def _require_ditp(request) -> None:
    if not sees_everything(request.user):
        raise Http404


def _versions_by_kind() -> list[dict]:
    """Each kind with its versions, newest first, and the number of campaigns using each: one query."""
    versions = list(
        Questionnaire.objects.annotate(campaign_count=Count("campaigns"))
        .select_related("published_by")
        .order_by("kind", "-number")
    )
    sections = []
    for kind in SurveyKind:
        of_kind = [version for version in versions if version.kind == kind]
        # The current version is the newest published one (as Questionnaire.objects.current decides).
        current = next((version for version in of_kind if version.published_at is not None), None)
        sections.append(
            {
                "kind": kind,
                "label": kind.label,
                "versions": of_kind,
                "current_pk": current.pk if current is not None else None,
            }
        )
    return sections


@require_http_methods(["GET", "POST"])
def questionnaire_list(request):
    _require_ditp(request)
    if request.method == "POST":
        form = QuestionnaireUploadForm(request.POST, request.FILES)
    else:
        form = QuestionnaireUploadForm()
    if request.method == "POST" and form.is_valid():
        try:
            questionnaire = questionnaire_publish(
                user=request.user, kind=form.cleaned_data["kind"], uploaded_file=form.cleaned_data["file"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Version %(number)s de l’%(kind)s publiée : les nouvelles campagnes l’utiliseront, les "
                    "campagnes déjà ouvertes gardent leur version."
                )
                % {"number": questionnaire.number, "kind": questionnaire.get_kind_display().lower()},
            )
            return redirect("surveys:questionnaire_detail", questionnaire.pk)
    return render(
        request, "surveys/questionnaires/list.html", {"sections": _versions_by_kind(), "form": form}
    )


@require_GET
def questionnaire_detail(request, pk):
    _require_ditp(request)
    questionnaire = get_object_or_404(
        Questionnaire.objects.annotate(campaign_count=Count("campaigns")).select_related("published_by"),
        pk=pk,
    )
    current = Questionnaire.objects.current(questionnaire.kind)
    questions = [
        {"question": question, "commitment": COMMITMENT_LABELS.get(question.group, "")}
        for question in questionnaire.questions.order_by("position")
    ]
    context = {
        "questionnaire": questionnaire,
        "questions": questions,
        "is_users": questionnaire.kind == SurveyKind.USERS,
        "is_current": current is not None and current.pk == questionnaire.pk,
    }
    return render(request, "surveys/questionnaires/detail.html", context)
