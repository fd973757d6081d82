"""The DITP publishes a new version of the user or agent questionnaire from a file (issue #4, « Questionnaires as
versioned data »).

A published version becomes the current one of its kind (`Questionnaire.objects.current`): campaigns opened from
then on use it; running campaigns keep the version they started with (Campaign.questionnaire never changes).
Errors are ValidationError keyed by the form field ("kind", "file"); nothing is saved when one is raised.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from labelsp.accounts.scoping import sees_everything
from labelsp.uploads import check_upload
from surveys.enums import SurveyKind
from surveys.models import Question, Questionnaire
from surveys.questionnaire_files import ALLOWED_TYPES, MAX_BYTES, parse_questionnaire


def questionnaire_publish(*, user, kind: str, uploaded_file) -> Questionnaire:
    """Publish the questionnaire of `kind` described by `uploaded_file` as the kind's next version."""
    if not sees_everything(user):
        raise PermissionDenied
    if kind not in SurveyKind.values:
        raise ValidationError({"kind": [_("Choisissez l’enquête usagers ou l’enquête agents.")]})
    try:
        check_upload(uploaded_file, allowed=ALLOWED_TYPES, max_bytes=MAX_BYTES)
    except ValidationError as error:
        if error.code == "content_type":
            # check_upload's own message lists the formats of business documents, not this one.
            raise ValidationError(
                {"file": [_("Le fichier doit être un fichier texte JSON encodé en UTF-8 (extension .json).")]}
            ) from None
        raise ValidationError({"file": error.messages}) from None
    uploaded_file.seek(0)
    try:
        parsed = parse_questionnaire(uploaded_file.read(), kind=kind)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from None
    try:
        with transaction.atomic():
            # Two publications of the same kind at once: the second waits, then takes the next number.
            list(Questionnaire.objects.select_for_update().filter(kind=kind).values_list("pk", flat=True))
            last = Questionnaire.objects.filter(kind=kind).aggregate(last=Max("number"))["last"] or 0
            questionnaire = Questionnaire.objects.create(
                kind=kind,
                number=last + 1,
                title=parsed.title,
                published_at=timezone.now(),
                published_by=user,
            )
            for position, question in enumerate(parsed.questions, start=1):
                Question.objects.create(
                    questionnaire=questionnaire,
                    code=question.code,
                    position=position,
                    text=question.text,
                    group=question.group,
                )
    except IntegrityError:
        # Only the very first version of a kind has no row to lock: the unique (kind, number) constraint refuses
        # the slower of two simultaneous publications.
        raise ValidationError(
            {
                "__all__": [
                    _("Une autre version vient d’être publiée au même moment : envoyez à nouveau le fichier.")
                ]
            }
        ) from None
    return questionnaire
