"""The results report of a survey campaign (§3.4): an A4 PDF in a normalised layout.

Service, dates, people solicited, sampling method, received and admissible questionnaires, return rate against
the threshold that applies, validity, global score and the notes per commitment (users) or per question (agents),
with a bar chart drawn as inline SVG (WeasyPrint renders it). Figures come from surveys.selectors.campaign_results,
the same aggregate queries as the live dashboard.
"""

import datetime
import math
from fractions import Fraction

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator, slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from surveys import rules, selectors
from surveys.enums import COMMITMENT_LABELS, SurveyKind
from surveys.models import Campaign

# The bar chart, in SVG user units: each row is a label line above a bar; 100/100 is BAR_SCALE × 100 wide.
CHART_WIDTH = 600
BAR_SCALE = 5  # units per point: a note of 100 is 500 units wide, the rest holds the note's figure
TOP = 18  # room for the Bronze line's label
ROW_HEIGHT = 32
LABEL_BASELINE = 10
BAR_OFFSET = 14
BAR_HEIGHT = 12
AXIS_HEIGHT = 16
CHART_LABEL_CHARS = 110


def french_number(value: float, decimals: int) -> str:
    """A figure the French way: comma as the decimal mark (72,45)."""
    return f"{value:.{decimals}f}".replace(".", ",")


def _svg(value: float) -> str:
    """An SVG coordinate: always a dot, whatever the active language (the template would localise a float)."""
    return f"{value:.2f}"


def rate_percent(rate: Fraction | None) -> str:
    """A return rate with one decimal, rounded down: 4.99 % reads 4,9 %, never the 5 % it misses."""
    if rate is None:
        return "—"
    return french_number(math.floor(rate * 1000) / 10, 1) + " %"


def _threshold_percent(rate: Fraction) -> str:
    value = rate * 100
    return (str(int(value)) if value.denominator == 1 else french_number(float(value), 1)) + " %"


def threshold_text(validity: rules.Validity) -> str:
    """The validity threshold that applies to the campaign (§3.4.1, §3.4.2)."""
    rate = _threshold_percent(validity.required_rate)
    if validity.required_admissible:
        return ngettext(
            "un taux de retour d’au moins %(rate)s et au moins %(count)s questionnaire recevable",
            "un taux de retour d’au moins %(rate)s et au moins %(count)s questionnaires recevables",
            validity.required_admissible,
        ) % {"rate": rate, "count": validity.required_admissible}
    return _("un taux de retour d’au moins %(rate)s") % {"rate": rate}


def verdict_text(results: selectors.CampaignResults) -> str:
    """« Résultats valides », or « Résultats non valides : » and what falls short of the threshold."""
    validity = results.validity
    if validity.is_valid:
        return _("Résultats valides")
    reasons = []
    if results.admissible < validity.required_admissible:
        reasons.append(
            ngettext(
                "%(count)s questionnaire recevable pour un minimum de %(minimum)s",
                "%(count)s questionnaires recevables pour un minimum de %(minimum)s",
                results.admissible,
            )
            % {"count": results.admissible, "minimum": validity.required_admissible}
        )
    if validity.rate is None or validity.rate < validity.required_rate:
        reasons.append(
            _("taux de retour de %(rate)s pour un minimum de %(minimum)s")
            % {"rate": rate_percent(validity.rate), "minimum": _threshold_percent(validity.required_rate)}
        )
    if validity.missing:
        reasons.append(
            ngettext(
                "il manque %(count)s questionnaire recevable",
                "il manque %(count)s questionnaires recevables",
                validity.missing,
            )
            % {"count": validity.missing}
        )
    return _("Résultats non valides : %(reasons)s.") % {"reasons": " ; ".join(reasons)}


def _note_text(note: float | None) -> str:
    return "—" if note is None else french_number(note, 2)


def _notes(campaign: Campaign, results: selectors.CampaignResults) -> list[tuple[str, float | None]]:
    """(label, note) of each bar: users, the 8 commitments and the global satisfaction; agents, the 11 questions."""
    if campaign.kind == SurveyKind.AGENTS:
        return [(f"{q.code} — {q.text}", results.scores.by_question.get(q.code)) for q in results.questions]
    groups = list(dict.fromkeys(q.group for q in results.questions))
    return [(str(COMMITMENT_LABELS.get(g, g)), results.scores.by_group.get(g)) for g in groups]


def chart(campaign: Campaign, results: selectors.CampaignResults) -> dict:
    """The geometry of the horizontal bar chart: bar widths proportional to the notes, the Bronze minimum line."""
    bronze = rules.BRONZE_MINIMUM[SurveyKind(campaign.kind)]
    rows = []
    for index, (label, note) in enumerate(_notes(campaign, results)):
        top = TOP + index * ROW_HEIGHT
        width = BAR_SCALE * (note or 0)
        rows.append(
            {
                "label": Truncator(label).chars(CHART_LABEL_CHARS),
                "note": note,
                "note_text": _note_text(note),
                "label_y": _svg(top + LABEL_BASELINE),
                "bar_y": _svg(top + BAR_OFFSET),
                "width": _svg(width),
                "text_x": _svg(width + 4),
                "text_y": _svg(top + BAR_OFFSET + BAR_HEIGHT - 2),
            }
        )
    bottom = TOP + len(rows) * ROW_HEIGHT
    ticks = [
        {"x": _svg(BAR_SCALE * value), "label": str(value), "anchor": "start" if value == 0 else "middle"}
        for value in (0, 25, 50, 75, 100)
    ]
    return {
        "rows": rows,
        "width": CHART_WIDTH,
        "height": _svg(bottom + AXIS_HEIGHT),
        "bar_height": BAR_HEIGHT,
        "bottom": _svg(bottom),
        "tick_label_y": _svg(bottom + AXIS_HEIGHT - 4),
        "ticks": ticks,
        "bronze": bronze,
        "bronze_x": _svg(BAR_SCALE * bronze),
        "bronze_label_y": _svg(TOP - 6),
    }


def _question_rows(campaign: Campaign, results: selectors.CampaignResults) -> list[dict]:
    return [
        {
            "code": q.code,
            "text": q.text,
            "group": (
                str(COMMITMENT_LABELS.get(q.group, q.group)) if campaign.kind == SurveyKind.USERS else ""
            ),
            "note_text": _note_text(results.scores.by_question.get(q.code)),
        }
        for q in results.questions
    ]


def closed_on(campaign: Campaign) -> datetime.date | None:
    return timezone.localdate(campaign.closed_at) if campaign.closed_at else None


def campaign_summary(campaign: Campaign, results: selectors.CampaignResults | None = None) -> str:
    """One line naming a closed campaign: its dates, its global score and whether its results are valid."""
    results = results or selectors.campaign_results(campaign)
    dates = _("Du %(start)s au %(end)s") % {
        "start": date_format(campaign.opens_on, "j F Y"),
        "end": date_format(closed_on(campaign) or campaign.closes_on, "j F Y"),
    }
    score = results.scores.global_score
    score_text = _("pas de note") if score is None else _("%(score)s / 100") % {"score": _note_text(score)}
    validity = _("résultats valides") if results.validity.is_valid else _("résultats non valides")
    return f"{dates} — {score_text} — {validity}"


def report_context(campaign: Campaign) -> dict:
    """Everything templates/pdf/survey_report.html reads; numbers already written the French way."""
    results = selectors.campaign_results(campaign)
    score = results.scores.global_score
    return {
        "campaign": campaign,
        "service": campaign.local_service,
        "is_users": campaign.kind == SurveyKind.USERS,
        "closed_on": closed_on(campaign),
        "results": results,
        "rate": rate_percent(results.validity.rate),
        "threshold": threshold_text(results.validity),
        "verdict": verdict_text(results),
        "global_score": _note_text(score),
        "secures_bronze": rules.secures_bronze(campaign.kind, score),
        "chart": chart(campaign, results),
        "question_rows": _question_rows(campaign, results),
        "generated_at": timezone.localtime(),
    }


def render_results_report(campaign: Campaign) -> bytes:
    from labelsp.pdf import render_pdf

    return render_pdf("pdf/survey_report.html", report_context(campaign))


def report_filename(campaign: Campaign) -> str:
    """resultats-enquete-<usagers|agents>-<service>-<date>.pdf; the date is the closing day (today while open)."""
    kind = "usagers" if campaign.kind == SurveyKind.USERS else "agents"
    day = closed_on(campaign) or timezone.localdate()
    service = slugify(campaign.local_service.name)[:60].strip("-") or str(campaign.local_service_id)
    return f"resultats-enquete-{kind}-{service}-{day:%Y-%m-%d}.pdf"
