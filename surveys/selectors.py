"""Reads of the surveys that are more than a filter: a campaign's figures, computed in the database."""

from dataclasses import dataclass

from django.db.models import Avg, Count, FloatField, Func, Q

from surveys import rules
from surveys.enums import SCALE_POINTS, SurveyKind
from surveys.models import Campaign, Response


@dataclass(frozen=True)
class CampaignResults:
    received: int
    admissible: int
    validity: rules.Validity
    scores: rules.Scores
    questions: list  # the campaign's questions, in order


class SlotPoints(Func):
    """The points of the `slot`-th question (1-based) of a questionnaire's `positions`, NULL for NSP: one
    `CASE SUBSTR(...) WHEN ...` (the character is read once), the same SQL on PostgreSQL and SQLite."""

    output_field = FloatField()

    def __init__(self, slot: int):
        super().__init__("positions")
        self.slot = int(slot)

    def as_sql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        whens = " ".join(f"WHEN '{position}' THEN {points!r}" for position, points in SCALE_POINTS.items())
        return f"CASE SUBSTR({column}, {self.slot}, 1) {whens} END", params


def slot_means(responses, question_count: int) -> dict:
    """The mean points of each question (1-based slot → mean or None) over `responses`, in one aggregate query;
    NSP answers are left out of each mean (NULL in SQL), as the rule says (§3.4)."""

    means = responses.aggregate(
        **{f"q{slot}": Avg(SlotPoints(slot)) for slot in range(1, question_count + 1)}
    )
    return {
        slot: None if means[f"q{slot}"] is None else float(means[f"q{slot}"])
        for slot in range(1, question_count + 1)
    }


def campaign_results(campaign: Campaign) -> CampaignResults:
    """Counts, validity and scores of a campaign: two aggregate queries whatever the number of answers (§3.4)."""
    counts = campaign.responses.aggregate(
        received=Count("pk"), admissible=Count("pk", filter=Q(admissible=True))
    )
    questions = list(campaign.questionnaire.questions.order_by("position"))
    means = slot_means(Response.objects.filter(campaign=campaign, admissible=True), len(questions))
    scores = rules.compute_scores(
        campaign.kind,
        question_means={q.code: means[slot] for slot, q in enumerate(questions, start=1)},
        groups={q.code: (q.group if campaign.kind == SurveyKind.USERS else q.code) for q in questions},
    )
    validity = rules.survey_validity(
        campaign.kind, admissible=counts["admissible"], population=campaign.population
    )
    return CampaignResults(counts["received"], counts["admissible"], validity, scores, questions)
