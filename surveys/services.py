"""Writes of the surveys: recording questionnaires (every channel goes through `response_record`)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from surveys import rules
from surveys.enums import SCALE_POINTS
from surveys.models import Answer, Campaign, Response


def _points(position):
    return None if position is None else SCALE_POINTS[position]


@transaction.atomic
def response_record(
    *,
    campaign: Campaign,
    positions: dict[str, int | None],
    channel: str,
    complete: bool = True,
    entered_by=None,
) -> Response:
    """Record one questionnaire: `positions` maps each question code to 1–4, or None for NSP / unanswered.

    Admissibility is decided here, once, from the rule (§3.4), and stored with the questionnaire.
    """
    if campaign.closed_at is not None:
        raise ValidationError(_("Cette campagne est close : elle ne reçoit plus de questionnaires."))
    questions = {q.code: q for q in campaign.questionnaire.questions.all()}
    unknown = sorted(set(positions) - set(questions))
    if unknown:
        raise ValidationError(_("Questions inconnues : %(codes)s.") % {"codes": ", ".join(unknown)})
    bad = sorted(code for code, p in positions.items() if p is not None and p not in SCALE_POINTS)
    if bad:
        raise ValidationError(_("Réponses hors de l’échelle pour : %(codes)s.") % {"codes": ", ".join(bad)})
    answered = sum(1 for p in positions.values() if p is not None)
    response = Response.objects.create(
        campaign=campaign,
        channel=channel,
        complete=complete,
        answered=answered,
        admissible=rules.is_admissible(complete=complete, answered=answered, question_count=len(questions)),
        entered_by=entered_by,
    )
    Answer.objects.bulk_create(
        Answer(
            response=response,
            question=question,
            position=positions.get(code),
            points=_points(positions.get(code)),
        )
        for code, question in questions.items()
    )
    return response
