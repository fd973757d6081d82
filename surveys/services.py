"""Writes of the surveys: recording questionnaires (every channel goes through `response_record`)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from surveys.enums import SCALE_POINTS
from surveys.models import Campaign, Response


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

    The database derives `answered` and `admissible` from the stored positions (the rule of §3.4).
    """
    if campaign.closed_at is not None:
        raise ValidationError(_("Cette campagne est close : elle ne reçoit plus de questionnaires."))
    codes = list(campaign.questionnaire.questions.order_by("position").values_list("code", flat=True))
    unknown = sorted(set(positions) - set(codes))
    if unknown:
        raise ValidationError(_("Questions inconnues : %(codes)s.") % {"codes": ", ".join(unknown)})
    bad = sorted(code for code, p in positions.items() if p is not None and p not in SCALE_POINTS)
    if bad:
        raise ValidationError(_("Réponses hors de l’échelle pour : %(codes)s.") % {"codes": ", ".join(bad)})
    return Response.objects.create(
        campaign=campaign,
        channel=channel,
        complete=complete,
        positions="".join(str(positions.get(code) or 0) for code in codes),
        entered_by=entered_by,
    )
