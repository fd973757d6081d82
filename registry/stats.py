"""National statistics for the commission and the DITP (issue #8; guide §1.1, §2.3, §5.3).

Selectors only: each table is one or two aggregate queries whatever the number of services, and returns plain
rows of `Cell`s. Every cell carries the number of distinct services it was computed from, so that the statistical
secrecy rules (`is_disclosed`, then `complementary_suppression` when the `Table` is built) apply the same way to
the page, the charts and the CSV downloads.

Interpretations, each in one place below:
- a decision counts only while in force (not replaced by a correction): `_decisions`;
- a service is « labellisé » in a period when it received a decision giving or keeping a tier
  (`LABELLED_OUTCOMES`), « audité » when an audit visit started in the period (`_audits`);
- the network of a local service is its central service; a central service is the head of its own network;
- the refusal rate is refusals / (awards + refusals), counted in decisions;
- the average score of a commitment is the mean of the scores stored with the local decisions of the period;
- secrecy also covers subtraction (`complementary_suppression`): a column total can be published (the total row of
  the refusals, or the same services counted per tier, per kind, per network…), so a count column never shows all
  its cells but one. Where exactly one cell of a count column is hidden, the non-empty shown cell with the fewest
  services is hidden too, the last in row order on a tie; it then reads « secret » like the first one. A total row is
  never hidden this way; rows of one `Row.group` add up to their own total (suspension reasons, withdrawal
  reasons), so the rule applies within each group. A column whose only other cells are empty needs nothing more:
  its total is then the hidden cell itself, an aggregate of the same few services, hidden wherever it appears;
- rates and means do not add up: without each group's size the overall figure gives back no group's figure, so a
  rate or mean column hides no complementary cell of its own (the commitments' scores, each over the same
  services, are no partition anyway). Beside a count of the same rows, it is hidden in the row whose count is
  hidden as a complement: with that size it would give back the group's share of the total (the refusal rate).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from dateutil.relativedelta import relativedelta
from django.db.models import Avg, Count, F, FloatField, Q, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, TruncMonth
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from audits.enums import GridKind
from audits.models import Audit, GridSection
from candidates.enums import LocalServiceKind
from decisions.enums import DecisionOutcome, SuspensionReason, Tier, WithdrawalReason
from decisions.models import Decision, Label, Suspension, Withdrawal
from decisions.rules import COMMITMENTS
from registry.models import CertificationBody

# Statistical secrecy: no aggregate computed from fewer than this many distinct services is shown.
MIN_SERVICES = 5
# Without a year, the dashboard covers the last 24 months (the current one included).
DEFAULT_MONTHS = 24
# The decisions after which a service holds a tier: an award (initial or renewal), a confirmed or upgraded tier.
LABELLED_OUTCOMES = (DecisionOutcome.AWARD, DecisionOutcome.CONFIRM, DecisionOutcome.UPGRADE)
CENTRAL_KIND = "central"

COUNT = "count"
PERCENT = "percent"
SCORE = "score"


def is_disclosed(services: int) -> bool:
    """Whether an aggregate computed from `services` distinct services may be shown (issue #8: no single service
    identifiable from an aggregate of fewer than 5 services). Interpretation: an empty cell (no service at all)
    identifies nobody and is shown as such (0, or « — » for an average)."""
    return services == 0 or services >= MIN_SERVICES


@dataclass(frozen=True)
class Cell:
    """An aggregate and the number of distinct services it was computed from. A `complementary` cell is hidden
    whatever its size, so that no hidden cell can be recovered by subtraction (`complementary_suppression`)."""

    value: int | float | None
    services: int
    complementary: bool = False

    @property
    def disclosed(self) -> bool:
        return not self.complementary and is_disclosed(self.services)

    @property
    def shown(self) -> int | float | None:
        """The value if it may be shown, else None (the callers print « secret »)."""
        return self.value if self.disclosed else None


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = COUNT


@dataclass
class Row:
    label: str
    cells: dict  # Column.key → Cell
    total: bool = False  # the total of the other rows: shown whatever is hidden among them
    group: str = ""  # rows that add up to a total of their own, published elsewhere


def complementary_suppression(columns: list, rows: list) -> list:
    """The rows with a second cell hidden in each count column where exactly one cell is hidden, so that no hidden
    cell is the difference between a published total and shown cells (issue #8). The complement is the non-empty
    shown cell with the fewest services, the last in row order on a tie; total rows are left out, and each
    `Row.group` is a column of its own. A rate or mean in the complement's row is hidden with it. Applying it twice
    changes nothing (a column then holds two hidden cells)."""
    groups = {}
    for index, row in enumerate(rows):
        if not row.total:
            groups.setdefault(row.group, []).append(index)
    hidden = {}  # row index → keys of the cells hidden as complements
    for column in columns:
        if column.kind != COUNT:
            continue
        for indexes in groups.values():
            cells = {index: rows[index].cells[column.key] for index in indexes}
            if sum(not cell.disclosed for cell in cells.values()) != 1:
                continue
            candidates = [index for index, cell in cells.items() if cell.disclosed and cell.services]
            if candidates:
                # min keeps the first of equals: reversed, the last row wins a tie.
                index = min(reversed(candidates), key=lambda index: cells[index].services)
                hidden.setdefault(index, set()).add(column.key)
    ratios = [column.key for column in columns if column.kind != COUNT]
    result = []
    for index, row in enumerate(rows):
        keys = hidden.get(index)
        if keys:
            keys |= {key for key in ratios if row.cells[key].services}
            row = replace(
                row,
                cells={
                    key: replace(cell, complementary=True) if key in keys and cell.disclosed else cell
                    for key, cell in row.cells.items()
                },
            )
        result.append(row)
    return result


@dataclass
class Table:
    slug: str
    title: str
    row_header: str
    columns: list
    rows: list
    chart_keys: tuple  # the columns drawn in the chart, one bar each per row
    description: str = ""
    chart_max: float | None = None  # a fixed scale (100 for rates and scores), else the largest value

    def __post_init__(self):
        # Once here, so that the page, the charts and the CSV hide the same cells.
        self.rows = complementary_suppression(self.columns, self.rows)

    def column_cells(self):
        """Each row's cells in column order (for the templates and the CSV)."""
        return [(row, [row.cells[column.key] for column in self.columns]) for row in self.rows]


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date
    year: int | None
    # The last day that has happened: audits planned later have not taken place yet.
    until: datetime.date
    months: list = field(default_factory=list)


def period_for(year: int | None, today: datetime.date) -> Period:
    """A calendar year, or the last 24 months up to today."""
    if year is not None:
        start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    else:
        start, end = today.replace(day=1) - relativedelta(months=DEFAULT_MONTHS - 1), today
    months = []
    month = start
    while month <= end:
        months.append(month)
        month += relativedelta(months=1)
    return Period(start=start, end=end, year=year, until=min(end, today), months=months)


# --- Querysets ------------------------------------------------------------------------------------------------------


def _services(prefix: str = "", filter: Q | None = None):
    """Distinct services of rows that name either a local or a central service (never both)."""
    return Count(f"{prefix}local_service", distinct=True, filter=filter) + Count(
        f"{prefix}central_service", distinct=True, filter=filter
    )


def _decisions(period: Period):
    """Decisions in force (a corrected decision is replaced by the new one) taken in the period."""
    return Decision.objects.filter(replaced_by__isnull=True, decided_on__range=(period.start, period.end))


def _labelled(period: Period):
    return _decisions(period).filter(outcome__in=LABELLED_OUTCOMES)


def _audits(period: Period):
    """Audits whose on-site visit started in the period (and not after today)."""
    return Audit.objects.filter(visit_start__range=(period.start, period.until))


def _grouped(queryset, prefix: str = "", **keys) -> dict:
    """{group key: number of distinct services}, in one query."""
    rows = queryset.values(**keys).annotate(services=_services(prefix)).order_by()
    return {tuple(row[k] for k in keys): row["services"] for row in rows}


def _count_cell(counts: dict, key) -> Cell:
    services = counts.get(key, 0)
    return Cell(services, services)


# --- Tables ---------------------------------------------------------------------------------------------------------

AUDITED = Column("audited", _("Services audités"))
LABELLED = Column("labelled", _("Services labellisés"))


def tiers_table(period: Period) -> Table:
    """Services labelled in the period per tier, and labels in force at the end of the period."""
    labelled = _grouped(_labelled(period), dim=F("tier"))
    in_force = _grouped(Label.objects.in_force(period.until), dim=F("tier"))
    return Table(
        slug="paliers",
        title=_("Services labellisés par palier"),
        row_header=_("Palier"),
        columns=[LABELLED, Column("in_force", _("Labels en vigueur en fin de période"))],
        rows=[
            Row(
                tier.label,
                {
                    "labelled": _count_cell(labelled, (tier.value,)),
                    "in_force": _count_cell(in_force, (tier.value,)),
                },
            )
            for tier in Tier
        ],
        chart_keys=("labelled", "in_force"),
        description=_(
            "Labels attribués, confirmés ou portés au palier supérieur pendant la période ; labels actifs ou "
            "suspendus au dernier jour de la période."
        ),
    )


def months_table(period: Period) -> Table:
    audited = _grouped(_audits(period), dim=TruncMonth("visit_start"))
    labelled = _grouped(_labelled(period), dim=TruncMonth("decided_on"))
    return Table(
        slug="mois",
        title=_("Services audités et labellisés par mois"),
        row_header=_("Mois"),
        columns=[AUDITED, LABELLED],
        rows=[
            Row(
                formats.date_format(month, "YEAR_MONTH_FORMAT"),
                {"audited": _count_cell(audited, (month,)), "labelled": _count_cell(labelled, (month,))},
            )
            for month in period.months
        ],
        chart_keys=("audited", "labelled"),
    )


def _audited_labelled_rows(period: Period, keys: dict, order: Callable) -> list:
    """Rows of services audited and labelled grouped by `keys` (a key expression and a name expression)."""
    audited = _grouped(_audits(period), **keys)
    labelled = _grouped(_labelled(period), **keys)
    rows = []
    for key in sorted(set(audited) | set(labelled), key=order):
        rows.append((key, {"audited": _count_cell(audited, key), "labelled": _count_cell(labelled, key)}))
    return rows


def networks_table(period: Period) -> Table:
    """Per network: a local service belongs to its central service's network, a central service heads its own."""
    keys = {
        "dim": Coalesce("local_service__parent", "central_service"),
        "dim_name": Coalesce("local_service__parent__network_name", "central_service__network_name"),
    }
    rows = _audited_labelled_rows(period, keys, order=lambda key: (key[0] is None, (key[1] or "").lower()))
    return Table(
        slug="reseaux",
        title=_("Services audités et labellisés par réseau"),
        row_header=_("Réseau"),
        columns=[AUDITED, LABELLED],
        rows=[Row(key[1] or str(_("Services sans réseau")), cells) for key, cells in rows],
        chart_keys=("audited", "labelled"),
        description=_(
            "Un réseau comprend le service public central et les services locaux qui lui sont rattachés."
        ),
    )


def _kind_label(kind: str) -> str:
    if kind == CENTRAL_KIND:
        return str(_("Service public central"))
    return str(LocalServiceKind(kind).label) if kind in LocalServiceKind.values else kind


def kinds_table(period: Period) -> Table:
    keys = {"dim": Coalesce("local_service__kind", Value(CENTRAL_KIND))}
    order = [*LocalServiceKind.values, CENTRAL_KIND]
    audited = _grouped(_audits(period), **keys)
    labelled = _grouped(_labelled(period), **keys)
    return Table(
        slug="categories",
        title=_("Services audités et labellisés par catégorie de service"),
        row_header=_("Catégorie de service"),
        columns=[AUDITED, LABELLED],
        rows=[
            Row(
                _kind_label(kind),
                {"audited": _count_cell(audited, (kind,)), "labelled": _count_cell(labelled, (kind,))},
            )
            for kind in order
        ],
        chart_keys=("audited", "labelled"),
    )


def bodies_table(period: Period) -> Table:
    keys = {"dim": F("certification_body"), "dim_name": F("certification_body__name")}
    rows = _audited_labelled_rows(period, keys, order=lambda key: (key[1] or "").lower())
    return Table(
        slug="organismes",
        title=_("Services audités et labellisés par organisme de certification"),
        row_header=_("Organisme de certification"),
        columns=[AUDITED, LABELLED],
        rows=[Row(key[1], cells) for key, cells in rows],
        chart_keys=("audited", "labelled"),
    )


def _rate_cell(row: dict) -> Cell:
    total = row["awards"] + row["refusals"]
    return Cell(100 * row["refusals"] / total if total else None, row["services"])


def refusals_table(period: Period) -> Table:
    """Refusal rate = refusals / (awards + refusals), over the whole country and per certification body."""
    decisions = _decisions(period).filter(outcome__in=(DecisionOutcome.AWARD, DecisionOutcome.REFUSAL))
    counts = {
        "awards": Count("pk", filter=Q(outcome=DecisionOutcome.AWARD)),
        "refusals": Count("pk", filter=Q(outcome=DecisionOutcome.REFUSAL)),
        "services": _services(),
    }
    overall = decisions.aggregate(**counts)
    per_body = (
        decisions.values("certification_body", "certification_body__name")
        .annotate(**counts)
        .order_by("certification_body__name", "certification_body")
    )

    def cells(row):
        return {"decided": Cell(row["services"], row["services"]), "rate": _rate_cell(row)}

    return Table(
        slug="taux-refus",
        title=_("Taux de refus"),
        row_header=_("Périmètre"),
        columns=[
            Column("decided", _("Services ayant reçu une attribution ou un refus")),
            Column("rate", _("Taux de refus"), PERCENT),
        ],
        rows=[
            Row(str(_("Ensemble des organismes")), cells(overall), total=True),
            *(Row(row["certification_body__name"], cells(row)) for row in per_body),
        ],
        chart_keys=("rate",),
        chart_max=100,
        description=_(
            "Refus rapportés au total des attributions et des refus (décisions initiales et de renouvellement)."
        ),
    )


def _measure_cells(queryset, prefix: str, **keys) -> dict:
    """{group key: Cell(number of rows, distinct services)}."""
    rows = queryset.values(**keys).annotate(n=Count("pk"), services=_services(prefix)).order_by()
    return {tuple(row[k] for k in keys): Cell(row["n"], row["services"]) for row in rows}


EMPTY = Cell(0, 0)


def measures_months_table(period: Period) -> Table:
    suspensions = _measure_cells(
        Suspension.objects.filter(starts_on__range=(period.start, period.end)),
        "label__",
        dim=TruncMonth("starts_on"),
    )
    withdrawals = _measure_cells(
        Withdrawal.objects.filter(effective_on__range=(period.start, period.end)),
        "label__",
        dim=TruncMonth("effective_on"),
    )
    return Table(
        slug="suspensions-retraits",
        title=_("Suspensions et retraits par mois"),
        row_header=_("Mois"),
        columns=[Column("suspensions", _("Suspensions")), Column("withdrawals", _("Retraits"))],
        rows=[
            Row(
                formats.date_format(month, "YEAR_MONTH_FORMAT"),
                {
                    "suspensions": suspensions.get((month,), EMPTY),
                    "withdrawals": withdrawals.get((month,), EMPTY),
                },
            )
            for month in period.months
        ],
        chart_keys=("suspensions", "withdrawals"),
        description=_("Suspensions par date de début, retraits par date d’effet."),
    )


def measures_reasons_table(period: Period) -> Table:
    suspensions = _measure_cells(
        Suspension.objects.filter(starts_on__range=(period.start, period.end)), "label__", dim=F("reason")
    )
    withdrawals = _measure_cells(
        Withdrawal.objects.filter(effective_on__range=(period.start, period.end)), "label__", dim=F("reason")
    )
    rows = [
        Row(
            str(_("Suspension — %(reason)s")) % {"reason": reason.label},
            {"count": suspensions.get((reason.value,), EMPTY)},
            group="suspensions",
        )
        for reason in SuspensionReason
    ] + [
        Row(
            str(_("Retrait — %(reason)s")) % {"reason": reason.label},
            {"count": withdrawals.get((reason.value,), EMPTY)},
            group="withdrawals",
        )
        for reason in WithdrawalReason
    ]
    return Table(
        slug="motifs",
        title=_("Suspensions et retraits par motif"),
        row_header=_("Mesure et motif"),
        columns=[Column("count", _("Nombre"))],
        rows=rows,
        chart_keys=("count",),
    )


def activity_table(period: Period) -> Table:
    """Every certification body, with the audits it conducted and the decisions it took in the period."""
    bodies = CertificationBody.objects.order_by("name", "pk").values_list("pk", "name")
    audits = _measure_cells(_audits(period), "", dim=F("certification_body"))
    decisions = _measure_cells(_decisions(period), "", dim=F("certification_body"))
    return Table(
        slug="activite-organismes",
        title=_("Activité des organismes de certification"),
        row_header=_("Organisme de certification"),
        columns=[Column("audits", _("Audits")), Column("decisions", _("Décisions"))],
        rows=[
            Row(name, {"audits": audits.get((pk,), EMPTY), "decisions": decisions.get((pk,), EMPTY)})
            for pk, name in bodies
        ],
        chart_keys=("audits", "decisions"),
        description=_(
            "Audits dont la visite a commencé pendant la période ; décisions en vigueur prises pendant la période."
        ),
    )


def commitments_table(period: Period) -> Table:
    """The country-wide mean score of each commitment, from the scores stored with the local decisions."""
    scores = {code: Cast(KT(f"inputs__commitments__{code}"), FloatField()) for code in COMMITMENTS}
    decisions = (
        _decisions(period)
        .filter(local_service__isnull=False)
        .annotate(**{f"score_{code}": expression for code, expression in scores.items()})
    )
    aggregates = {}
    for code in COMMITMENTS:
        aggregates[f"avg_{code}"] = Avg(f"score_{code}")
        aggregates[f"n_{code}"] = Count(
            "local_service", distinct=True, filter=Q(**{f"score_{code}__isnull": False})
        )
    result = decisions.aggregate(**aggregates)
    titles = dict(
        GridSection.objects.filter(
            grid__kind=GridKind.LOCAL,
            grid__version=GridSection.objects.filter(grid__kind=GridKind.LOCAL)
            .order_by("-grid__version")
            .values("grid__version")[:1],
            code__in=COMMITMENTS,
        ).values_list("code", "title")
    )
    return Table(
        slug="engagements",
        title=_("Score moyen par engagement"),
        row_header=_("Engagement"),
        columns=[Column("score", _("Score moyen sur 100"), SCORE)],
        rows=[
            Row(
                titles.get(code) or str(_("Engagement %(number)s")) % {"number": code},
                {"score": Cell(result[f"avg_{code}"], result[f"n_{code}"])},
            )
            for code in COMMITMENTS
        ],
        chart_keys=("score",),
        chart_max=100,
        description=_(
            "Moyenne des scores d’audit des services locaux ayant reçu une décision pendant la période."
        ),
    )


# The tables in the dashboard's order; the slug is also the CSV's name (/statistiques/<slug>.csv).
TABLES = {
    "paliers": tiers_table,
    "mois": months_table,
    "reseaux": networks_table,
    "categories": kinds_table,
    "organismes": bodies_table,
    "taux-refus": refusals_table,
    "suspensions-retraits": measures_months_table,
    "motifs": measures_reasons_table,
    "activite-organismes": activity_table,
    "engagements": commitments_table,
}


def build_table(slug: str, period: Period) -> Table:
    return TABLES[slug](period)


def build_tables(period: Period) -> list:
    return [build_table(slug, period) for slug in TABLES]
