"""National statistics for the commission and the DITP (issue #8): the dashboard and the CSV of each table.

The figures come from registry/stats.py; this module only checks the role, reads the year, and presents the
cells (text, protected or not) and the charts, drawn as SVG on the server (no script: the CSP forbids inline code).
"""

import csv

from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from labelsp.accounts.enums import Role
from labelsp.spreadsheets import neutralise_formula
from registry import stats
from registry.forms import StatisticsFilterForm

STATISTICS_ROLES = (Role.COMMISSION, Role.DITP)

# Chart geometry (SVG user units): a label column, then one horizontal bar per series and row.
CHART_WIDTH = 720
CHART_LABEL_WIDTH = 250
CHART_VALUE_WIDTH = 60
CHART_BAR_HEIGHT = 14
CHART_BAR_GAP = 2
CHART_ROW_GAP = 10
CHART_LEGEND_HEIGHT = 26
CHART_LABEL_CHARS = 40
# DSFR colours: blue France (sun-113) and its main 525 tint, contrasted against white.
CHART_COLOURS = ("#000091", "#6a6af4")


def _require_statistics_role(request) -> None:
    """The statistics are for the national commission and the DITP; everyone else gets 404 (deny by default)."""
    membership = request.membership
    if membership is None or membership.role not in STATISTICS_ROLES:
        raise Http404


def _period(request):
    """The period asked for in the querystring, and the form (with its error next to the field when invalid)."""
    today = timezone.localdate()
    form = StatisticsFilterForm(request.GET, today=today)
    year = form.cleaned_data["annee"] if form.is_valid() else None
    return stats.period_for(year, today), form


# --- Presentation ---------------------------------------------------------------------------------------------------


def cell_text(cell: stats.Cell, kind: str) -> str:
    """The text of a cell, the same on the page and in the CSV; a protected cell never shows its value."""
    if not cell.disclosed:
        return _("secret")
    if cell.value is None:
        return "—"
    if kind == stats.COUNT:
        return str(cell.value)
    # number_format truncates the decimals it drops: round first (16.67 → 16,7).
    return formats.number_format(round(cell.value, 1), 1)


def _column_label(column: stats.Column) -> str:
    return f"{column.label} (%)" if column.kind == stats.PERCENT else str(column.label)


def _chart_text(cell: stats.Cell, kind: str) -> str:
    """A bar's value; without the table's column header beside it, a rate carries its unit."""
    text = cell_text(cell, kind)
    return f"{text}\u202f%" if kind == stats.PERCENT and cell.shown is not None else text


def _truncate(text: str) -> str:
    return text if len(text) <= CHART_LABEL_CHARS else text[: CHART_LABEL_CHARS - 1] + "…"


def bar_chart(table: stats.Table) -> dict:
    """The geometry of a horizontal bar chart of the table's chart columns: one group of bars per row. A protected
    cell draws no bar and says « secret », like the table."""
    series = [column for column in table.columns if column.key in table.chart_keys]
    values = [row.cells[c.key].shown or 0 for row in table.rows for c in series]
    scale_max = table.chart_max or max(values, default=0) or 1
    bar_area = CHART_WIDTH - CHART_LABEL_WIDTH - CHART_VALUE_WIDTH
    row_height = len(series) * (CHART_BAR_HEIGHT + CHART_BAR_GAP) + CHART_ROW_GAP
    top = CHART_LEGEND_HEIGHT if len(series) > 1 else 4
    rows = []
    for index, row in enumerate(table.rows):
        y = top + index * row_height
        bars = []
        for position, column in enumerate(series):
            cell = row.cells[column.key]
            width = round(bar_area * (cell.shown or 0) / scale_max, 1)
            bar_y = y + position * (CHART_BAR_HEIGHT + CHART_BAR_GAP)
            bars.append(
                {
                    "x": CHART_LABEL_WIDTH,
                    "y": bar_y,
                    "width": width,
                    "colour": CHART_COLOURS[position % len(CHART_COLOURS)],
                    "text": _chart_text(cell, column.kind),
                    "text_x": CHART_LABEL_WIDTH + width + 4,
                    "text_y": bar_y + CHART_BAR_HEIGHT - 3,
                }
            )
        rows.append(
            {
                "label": _truncate(str(row.label)),
                "label_y": y + (len(series) * (CHART_BAR_HEIGHT + CHART_BAR_GAP)) / 2 + 4,
                "bars": bars,
            }
        )
    legend = [
        {
            "x": CHART_LABEL_WIDTH + position * 230,
            "text_x": CHART_LABEL_WIDTH + position * 230 + 16,
            "colour": CHART_COLOURS[position % len(CHART_COLOURS)],
            "label": _column_label(column),
        }
        for position, column in enumerate(series)
    ]
    return {
        "width": CHART_WIDTH,
        "height": top + len(table.rows) * row_height,
        "label_x": CHART_LABEL_WIDTH - 8,
        "bar_height": CHART_BAR_HEIGHT,
        "rows": rows,
        "legend": legend if len(series) > 1 else [],
    }


def _present(table: stats.Table) -> dict:
    return {
        "slug": table.slug,
        "title": table.title,
        "description": table.description,
        "row_header": table.row_header,
        "columns": [_column_label(column) for column in table.columns],
        "rows": [
            {
                "label": row.label,
                "cells": [
                    {"text": cell_text(cell, column.kind), "protected": not cell.disclosed}
                    for column, cell in zip(table.columns, cells, strict=True)
                ],
            }
            for row, cells in table.column_cells()
        ],
        "chart": bar_chart(table),
    }


# --- Views ----------------------------------------------------------------------------------------------------------


@require_GET
def dashboard(request):
    """Every table of the national statistics, each with its chart and its CSV; filtered by calendar year."""
    _require_statistics_role(request)
    period, form = _period(request)
    context = {
        "form": form,
        "period": period,
        "tables": [_present(table) for table in stats.build_tables(period)],
        "min_services": stats.MIN_SERVICES,
        "query": f"?annee={period.year}" if period.year else "",
    }
    return render(request, "registry/stats/dashboard.html", context)


@require_GET
def table_csv(request, table):
    """One table as CSV for a spreadsheet: UTF-8 with a BOM, « ; » separated, the same protected cells."""
    _require_statistics_role(request)
    if table not in stats.TABLES:
        raise Http404
    period, form = _period(request)
    if form.errors:
        return HttpResponseBadRequest(_("Période invalide."), content_type="text/plain; charset=utf-8")
    data = stats.build_table(table, period)
    suffix = str(period.year) if period.year else f"{period.start:%Y-%m}-{period.end:%Y-%m}"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="statistiques-{data.slug}-{suffix}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow([str(data.row_header), *(_column_label(column) for column in data.columns)])
    for row, cells in data.column_cells():
        writer.writerow(
            [
                neutralise_formula(str(row.label)),
                *(
                    neutralise_formula(cell_text(cell, column.kind))
                    for column, cell in zip(data.columns, cells, strict=True)
                ),
            ]
        )
    return response
