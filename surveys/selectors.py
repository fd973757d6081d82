"""Reads of the surveys that are more than a filter: a campaign's figures, computed in the database."""

from dataclasses import dataclass

from django.db.models import Avg, Count, Q

from surveys import rules
from surveys.enums import SurveyKind
from surveys.models import Answer, Campaign


@dataclass(frozen=True)
class CampaignResults:
    received: int
    admissible: int
    validity: rules.Validity
    scores: rules.Scores
    questions: list  # the campaign's questions, in order


def campaign_results(campaign: Campaign) -> CampaignResults:
    """Counts, validity and scores of a campaign: two aggregate queries whatever the number of answers (§3.4)."""
    counts = campaign.responses.aggregate(
        received=Count("pk"), admissible=Count("pk", filter=Q(admissible=True))
    )
    means = dict(
        Answer.objects.filter(response__campaign=campaign, response__admissible=True, points__isnull=False)
        .values("question_id")
        .annotate(mean=Avg("points"))
        .values_list("question_id", "mean")
    )
    questions = list(campaign.questionnaire.questions.order_by("position"))
    scores = rules.compute_scores(
        campaign.kind,
        question_means={q.code: (None if means.get(q.pk) is None else float(means[q.pk])) for q in questions},
        groups={q.code: (q.group if campaign.kind == SurveyKind.USERS else q.code) for q in questions},
    )
    validity = rules.survey_validity(
        campaign.kind, admissible=counts["admissible"], population=campaign.population
    )
    return CampaignResults(counts["received"], counts["admissible"], validity, scores, questions)
