"""National statistics (registry/stats.py, registry/views/stats.py): the figures, the statistical secrecy
(no aggregate of fewer than 5 services shown, in the page, the charts and the CSV), the year filter, the CSV format
and a constant number of queries."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from candidates.enums import ApplicationOutcome, ApplicationStatus, LocalServiceKind
from decisions.enums import DecisionOutcome, SuspensionReason, Tier, WithdrawalReason
from decisions.models import Decision, Suspension, Withdrawal
from registry import stats
from registry.views.stats import bar_chart, cell_text
from tests.accounts.factories import UserFactory
from tests.audits.factories import AuditFactory
from tests.candidates.factories import (
    ApplicationFactory,
    CentralServiceFactory,
    LocalServiceFactory,
    ServiceContractFactory,
)
from tests.decisions.factories import DecisionFactory, LabelFactory
from tests.registry.factories import CertificationBodyFactory

pytestmark = pytest.mark.django_db

SCORES = {str(n): 70.0 for n in range(1, 9)}


def _today():
    return timezone.localdate()


def decide(body, *, local=None, outcome=DecisionOutcome.AWARD, tier=Tier.ARGENT, on=None, commitments=None):
    """A decision in force by `body` on a (new) local service."""
    local = local or LocalServiceFactory()
    application = ApplicationFactory(
        contract=ServiceContractFactory(certification_body=body, local_service=local),
        local_service=local,
        status=ApplicationStatus.CLOSED,
        outcome=ApplicationOutcome.REFUSED
        if outcome == DecisionOutcome.REFUSAL
        else ApplicationOutcome.LABELLED,
    )
    return DecisionFactory(
        application=application,
        outcome=outcome,
        tier=tier
        if outcome in (DecisionOutcome.AWARD, DecisionOutcome.CONFIRM, DecisionOutcome.UPGRADE)
        else "",
        motivation="Engagement 4 sous 50." if outcome == DecisionOutcome.REFUSAL else "",
        decided_on=on or _today(),
        inputs={"commitments": commitments if commitments is not None else SCORES},
    )


def audit(body, *, local=None, on=None):
    local = local or LocalServiceFactory()
    application = ApplicationFactory(
        contract=ServiceContractFactory(certification_body=body, local_service=local), local_service=local
    )
    start = on or _today() - datetime.timedelta(days=10)
    return AuditFactory(
        application=application, planned=True, visit_start=start, visit_end=start + datetime.timedelta(days=1)
    )


def period(year=None):
    return stats.period_for(year, _today())


def row(table, label):
    return next(r for r in table.rows if r.label == label)


@pytest.fixture
def commission(login):
    return login(UserFactory(commission=True))


# --- Rules ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("services", "shown"), [(0, True), (1, False), (4, False), (5, True), (30, True)])
def test_an_aggregate_of_fewer_than_5_services_is_not_disclosed(services, shown):
    assert stats.is_disclosed(services) is shown
    assert (stats.Cell(services, services).shown is None) is not shown


def test_the_period_is_a_calendar_year_or_the_last_24_months():
    today = datetime.date(2026, 3, 15)
    year = stats.period_for(2025, today)
    assert (year.start, year.end, year.until, len(year.months)) == (
        datetime.date(2025, 1, 1),
        datetime.date(2025, 12, 31),
        datetime.date(2025, 12, 31),
        12,
    )
    recent = stats.period_for(None, today)
    assert (recent.start, recent.end, len(recent.months)) == (datetime.date(2024, 4, 1), today, 24)
    assert recent.months[-1] == datetime.date(2026, 3, 1)
    assert stats.period_for(2026, today).until == today


def test_cell_texts_round_and_hide_small_groups():
    with translation.override("fr"):
        assert cell_text(stats.Cell(100 / 6, 6), stats.PERCENT) == "16,7"
        assert cell_text(stats.Cell(70.04, 5), stats.SCORE) == "70,0"
        assert cell_text(stats.Cell(4, 4), stats.COUNT) == "secret"
        assert cell_text(stats.Cell(None, 0), stats.SCORE) == "—"
        assert cell_text(stats.Cell(0, 0), stats.COUNT) == "0"


def test_a_chart_draws_no_bar_for_a_protected_cell():
    table = stats.Table(
        slug="essai",
        title="Essai",
        row_header="Ligne",
        columns=[stats.Column("rate", "Taux", stats.PERCENT)],
        rows=[stats.Row("A", {"rate": stats.Cell(50.0, 10)}), stats.Row("B", {"rate": stats.Cell(100.0, 3)})],
        chart_keys=("rate",),
        chart_max=100,
    )
    with translation.override("fr"):
        chart = bar_chart(table)
    first, second = (row["bars"][0] for row in chart["rows"])
    assert first["width"] == pytest.approx(205.0) and first["text"] == "50,0\u202f%"
    assert (second["width"], second["text"]) == (0, "secret")
    assert chart["legend"] == []


# --- Complementary suppression ---------------------------------------------------------------------------------


def counts(*services, key="n"):
    """Rows A, B, C… of one count column, each cell computed from `services[i]` services."""
    return [stats.Row("ABCDEFGH"[i], {key: stats.Cell(n, n)}) for i, n in enumerate(services)]


def hidden(rows, key="n"):
    return "".join(row.label for row in rows if not row.cells[key].disclosed)


N = [stats.Column("n", "Services")]


@pytest.mark.parametrize(
    ("services", "expected"),
    [
        # One cell at 4 beside cells of 5 or more: the smallest other one goes with it.
        ((4, 9, 6, 12, 0), "AC"),
        ((9, 5, 4), "BC"),
        # 5 services: nothing to protect.
        ((5, 9, 6, 12, 0), ""),
        # Two or more cells hidden already: none can be subtracted alone.
        ((4, 3, 6, 12), "AB"),
        ((4, 2, 1, 9), "ABC"),
        # The other cells are empty: the total is the hidden cell itself, and an empty cell identifies nobody.
        ((4, 0, 0), "A"),
        ((0, 1, 0), "B"),
        # The only other non-empty cell, however large.
        ((1, 0, 40), "AC"),
        # A tie: the last row.
        ((4, 6, 9, 6), "AD"),
        ((6, 4, 6, 9), "BC"),
        ((0, 0, 0), ""),
    ],
)
def test_a_single_hidden_cell_in_a_count_column_hides_the_smallest_other_one(services, expected):
    assert hidden(stats.complementary_suppression(N, counts(*services))) == expected


def test_complementary_suppression_is_stable():
    once = stats.complementary_suppression(N, counts(4, 6, 7, 9))
    assert hidden(once) == "AB"
    assert stats.complementary_suppression(N, once) == once
    # The complement is flagged, not changed: primary and complementary cells differ only by that flag.
    assert once[1].cells["n"] == stats.Cell(6, 6, complementary=True)
    assert once[0].cells["n"] == stats.Cell(4, 4)


def test_a_total_row_stays_shown_and_is_never_the_complement():
    # The same four services in both bodies: the total counts them once, as many as body B.
    rows = [*counts(4, 8), stats.Row("Total", {"n": stats.Cell(8, 8)}, total=True)]
    result = stats.complementary_suppression(N, rows)
    assert hidden(result) == "AB"
    assert result[2].cells["n"].shown == 8


def test_each_group_of_rows_is_protected_on_its_own():
    """Suspension reasons add up to the suspensions of the months' table, withdrawal reasons to the withdrawals."""
    rows = [
        stats.Row("S1", {"n": stats.Cell(4, 4)}, group="suspensions"),
        stats.Row("S2", {"n": stats.Cell(6, 6)}, group="suspensions"),
        stats.Row("W1", {"n": stats.Cell(5, 5)}, group="withdrawals"),
        stats.Row("W2", {"n": stats.Cell(9, 9)}, group="withdrawals"),
    ]
    result = stats.complementary_suppression(N, rows)
    assert [row.label for row in result if not row.cells["n"].disclosed] == ["S1", "S2"]


def test_count_columns_are_protected_one_by_one():
    columns = [stats.Column("audited", "Audités"), stats.Column("labelled", "Labellisés")]
    rows = [
        stats.Row(label, {"audited": stats.Cell(a, a), "labelled": stats.Cell(b, b)})
        for label, a, b in (("A", 4, 6), ("B", 6, 6), ("C", 9, 5))
    ]
    result = stats.complementary_suppression(columns, rows)
    assert hidden(result, "audited") == "AB"
    assert hidden(result, "labelled") == ""


@pytest.mark.parametrize("kind", [stats.PERCENT, stats.SCORE])
def test_a_rate_or_a_mean_alone_hides_no_complement(kind):
    rows = [
        stats.Row(label, {"rate": stats.Cell(value, services)})
        for label, value, services in (("A", 50.0, 3), ("B", 20.0, 10), ("C", 10.0, 12))
    ]
    result = stats.complementary_suppression([stats.Column("rate", "Taux", kind)], rows)
    assert hidden(result, "rate") == "A"


def test_a_rate_is_hidden_with_the_count_of_its_row():
    """Refusals: with the services decided, a body's rate would give back its refusals, hence the hidden body's."""
    columns = [stats.Column("decided", "Services"), stats.Column("rate", "Taux", stats.PERCENT)]
    rows = [
        stats.Row(label, {"decided": stats.Cell(n, n), "rate": stats.Cell(rate, n)}, total=label == "Total")
        for label, n, rate in (("Total", 19, 21.0), ("A", 4, 50.0), ("B", 6, 33.3), ("C", 9, 0.0))
    ]
    result = stats.complementary_suppression(columns, rows)
    assert hidden(result, "decided") == "AB"
    assert hidden(result, "rate") == "AB"


def test_a_complement_looks_like_any_hidden_cell_in_tables_and_charts():
    table = stats.Table(
        slug="essai",
        title="Essai",
        row_header="Ligne",
        columns=N,
        rows=counts(4, 6, 9),
        chart_keys=("n",),
    )
    # Built once as a Table: no caller can forget the complements.
    assert hidden(table.rows) == "AB"
    primary, complement, largest = (row.cells["n"] for row in table.rows)
    assert (primary.shown, complement.shown, largest.shown) == (None, None, 9)
    with translation.override("fr"):
        assert cell_text(primary, stats.COUNT) == cell_text(complement, stats.COUNT) == "secret"
        chart = bar_chart(table)
    bars = [row["bars"][0] for row in chart["rows"]]
    assert [(bar["text"], bar["width"]) for bar in bars[:2]] == [("secret", 0), ("secret", 0)]
    # The scale leaves the hidden 6 out: the shown 9 fills the bars' width.
    assert (bars[2]["text"], bars[2]["width"]) == ("9", 410)


# --- Figures --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("count", "expected"), [(4, None), (5, 5)])
def test_services_labelled_per_body_at_the_boundary(count, expected):
    body = CertificationBodyFactory(name="Organisme A")
    for _ in range(count):
        decide(body)
    table = stats.bodies_table(period())
    assert row(table, "Organisme A").cells["labelled"].shown == expected
    tiers = stats.tiers_table(period())
    assert row(tiers, "Argent").cells["labelled"].shown == expected
    assert row(tiers, "Or").cells["labelled"].shown == 0


def test_a_replaced_decision_and_other_outcomes_do_not_count():
    body = CertificationBodyFactory()
    decisions = [decide(body, tier=Tier.BRONZE) for _ in range(5)]
    # A correction replaces the first decision: the service now counts once, at its new tier.
    Decision.objects.create(
        application=decisions[0].application,
        local_service=decisions[0].local_service,
        certification_body=body,
        outcome=DecisionOutcome.AWARD,
        tier=Tier.OR,
        inputs={},
        replaces=decisions[0],
        decided_by=decisions[0].decided_by,
        decided_on=_today(),
    )
    for _ in range(5):
        decide(body, outcome=DecisionOutcome.ACTION_PLAN)
    tiers = stats.tiers_table(period())
    assert row(tiers, "Bronze").cells["labelled"].services == 4
    assert row(tiers, "Or").cells["labelled"].services == 1


def test_services_audited_and_labelled_per_month_network_and_kind():
    body = CertificationBodyFactory()
    central = CentralServiceFactory(network_name="CAF")
    this_month = _today().replace(day=1)
    for _ in range(5):
        local = LocalServiceFactory(parent=central, kind=LocalServiceKind.SOCIAL_SECURITY)
        decide(body, local=local)
        audit(body, local=local, on=this_month)
    # A planned visit has not taken place yet.
    audit(body, on=_today() + datetime.timedelta(days=30))
    months = stats.months_table(period())
    assert len(months.rows) == 24
    assert months.rows[-1].cells["audited"].shown == 5
    assert months.rows[-1].cells["labelled"].shown == 5
    assert months.rows[0].cells["labelled"].shown == 0
    networks = stats.networks_table(period())
    caf = row(networks, "CAF")
    assert (caf.cells["audited"].shown, caf.cells["labelled"].shown) == (5, 5)
    # The service audited in the future does not appear yet.
    assert [r.label for r in networks.rows] == ["CAF"]
    kinds = stats.kinds_table(period())
    assert row(kinds, str(LocalServiceKind.SOCIAL_SECURITY.label)).cells["labelled"].shown == 5
    assert row(kinds, str(LocalServiceKind.COMMUNE.label)).cells["labelled"].shown == 0


def test_the_refusal_rate_overall_and_per_body():
    body = CertificationBodyFactory(name="Organisme A")
    small = CertificationBodyFactory(name="Organisme B")
    for _ in range(7):
        decide(body)
    for _ in range(3):
        decide(body, outcome=DecisionOutcome.REFUSAL)
    for _ in range(2):
        decide(small, outcome=DecisionOutcome.REFUSAL)
    third = CertificationBodyFactory(name="Organisme C")
    for _ in range(6):
        decide(third)
    table = stats.refusals_table(period())
    overall = table.rows[0]
    assert overall.cells["decided"].shown == 18
    assert overall.cells["rate"].shown == pytest.approx(100 * 5 / 18)
    assert row(table, "Organisme A").cells["rate"].shown == pytest.approx(30.0)
    # Two services only: the rate would reveal both refusals.
    assert row(table, "Organisme B").cells["rate"].shown is None
    # With C shown, B's two refusals would be the overall five minus A's three: C is hidden too.
    assert row(table, "Organisme C").cells["decided"].shown is None
    assert row(table, "Organisme C").cells["rate"].shown is None


def test_suspensions_and_withdrawals_per_month_and_reason(django_user_model):
    body = CertificationBodyFactory()
    labels = [LabelFactory(decision=decide(body)) for _ in range(6)]
    for label in labels[:5]:
        Suspension.objects.create(
            label=label,
            reason=SuspensionReason.POSTPONEMENTS,
            starts_on=_today(),
            ends_on=_today() + datetime.timedelta(days=90),
            decided_by=label.decision.decided_by,
        )
    Withdrawal.objects.create(
        label=labels[5],
        reason=WithdrawalReason.TRADEMARK_BREACH,
        effective_on=_today(),
        decided_by=labels[5].decision.decided_by,
    )
    months = stats.measures_months_table(period())
    assert months.rows[-1].cells["suspensions"].shown == 5
    assert months.rows[-1].cells["withdrawals"].shown is None
    reasons = stats.measures_reasons_table(period())
    postponements = f"Suspension — {SuspensionReason.POSTPONEMENTS.label}"
    breach = f"Retrait — {WithdrawalReason.TRADEMARK_BREACH.label}"
    assert row(reasons, postponements).cells["count"].shown == 5
    assert row(reasons, breach).cells["count"].shown is None
    assert row(reasons, f"Retrait — {WithdrawalReason.NOT_RENEWED.label}").cells["count"].shown == 0


def test_body_activity_counts_audits_and_decisions_of_every_body():
    body = CertificationBodyFactory(name="Organisme A")
    CertificationBodyFactory(name="Organisme B")
    for _ in range(5):
        local = LocalServiceFactory()
        audit(body, local=local)
        decide(body, local=local)
        decide(body, local=local, outcome=DecisionOutcome.CONFIRM)
    table = stats.activity_table(period())
    active = row(table, "Organisme A")
    assert (active.cells["audits"].shown, active.cells["decisions"].shown) == (5, 10)
    idle = row(table, "Organisme B")
    assert (idle.cells["audits"].shown, idle.cells["decisions"].shown) == (0, 0)


@pytest.mark.parametrize("count", [4, 5])
def test_average_score_per_commitment(count):
    body = CertificationBodyFactory()
    for n in range(count):
        decide(body, commitments={**SCORES, "1": 50.0 + 10 * n, "8": None})
    table = stats.commitments_table(period())
    first, eighth = table.rows[0], table.rows[7]
    assert first.label.startswith("Engagement 1")
    if count == 5:
        assert first.cells["score"].shown == pytest.approx(70.0)
        assert table.rows[1].cells["score"].shown == pytest.approx(70.0)
    else:
        assert first.cells["score"].shown is None
    # No score for commitment 8: nothing to average, nobody to protect.
    assert (eighth.cells["score"].services, eighth.cells["score"].shown) == (0, None)


def test_a_year_filters_every_table():
    body = CertificationBodyFactory(name="Organisme A")
    last_year = _today().year - 1
    for _ in range(5):
        decide(body, on=datetime.date(last_year, 6, 15))
    assert row(stats.bodies_table(period(last_year)), "Organisme A").cells["labelled"].shown == 5
    assert not stats.bodies_table(period(_today().year)).rows
    months = stats.months_table(period(last_year))
    assert [r.cells["labelled"].shown for r in months.rows] == [0] * 5 + [5] + [0] * 6


# --- Pages ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("count", "protected"), [(4, True), (5, False)])
def test_the_dashboard_hides_small_groups_in_tables_and_charts(commission, count, protected):
    body = CertificationBodyFactory(name="Organisme A")
    for _ in range(count):
        decide(body, tier=Tier.OR)
    response = commission.get(reverse("statistiques:dashboard"))
    assert response.status_code == 200
    table = next(t for t in response.context["tables"] if t["slug"] == "organismes")
    cells = table["rows"][0]["cells"]
    labelled_bar = table["chart"]["rows"][0]["bars"][1]
    if protected:
        assert cells[1] == {"text": "secret", "protected": True}
        assert (labelled_bar["text"], labelled_bar["width"]) == ("secret", 0)
    else:
        assert cells[1] == {"text": "5", "protected": False}
        assert labelled_bar["text"] == "5" and labelled_bar["width"] > 0
    html = response.content.decode()
    # SVG coordinates keep a decimal point in French.
    assert not re.search(r' (?:x|y|width|height)="-?[0-9]+,[0-9]', html)
    assert html.count('role="img"') == len(stats.TABLES)
    assert 'class="fr-table"' in html
    assert "Secret statistique" in html


@pytest.mark.parametrize(("count", "expected"), [(4, "secret"), (5, "5")])
def test_the_csv_is_utf8_with_bom_semicolons_and_the_same_protection(commission, count, expected):
    body = CertificationBodyFactory(name="Organisme « Qualité » ; Sud")
    for _ in range(count):
        decide(body)
    response = commission.get(reverse("statistiques:table_csv", args=["organismes"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    content = response.content
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Organisme de certification", "Services audités", "Services labellisés"]
    assert rows[1] == ["Organisme « Qualité » ; Sud", "0", expected]


def test_the_page_its_charts_and_the_csv_hide_the_same_complement(commission):
    for name, count in (("Organisme A", 4), ("Organisme B", 6), ("Organisme C", 9)):
        body = CertificationBodyFactory(name=name)
        for _ in range(count):
            decide(body)
    response = commission.get(reverse("statistiques:dashboard"))
    table = next(t for t in response.context["tables"] if t["slug"] == "organismes")
    page = [[row["label"], *(cell["text"] for cell in row["cells"])] for row in table["rows"]]
    assert page == [["Organisme A", "0", "secret"], ["Organisme B", "0", "secret"], ["Organisme C", "0", "9"]]
    assert [row["cells"][1]["protected"] for row in table["rows"]] == [True, True, False]
    assert [row["bars"][1]["text"] for row in table["chart"]["rows"]] == ["secret", "secret", "9"]
    response = commission.get(reverse("statistiques:table_csv", args=["organismes"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1:] == page


def test_every_table_downloads_and_percentages_use_a_decimal_comma(commission):
    body = CertificationBodyFactory(name="Organisme A")
    for _ in range(7):
        decide(body)
    for _ in range(1):
        decide(body, outcome=DecisionOutcome.REFUSAL)
    for slug in stats.TABLES:
        assert commission.get(reverse("statistiques:table_csv", args=[slug])).status_code == 200, slug
    response = commission.get(reverse("statistiques:table_csv", args=["taux-refus"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][2] == "Taux de refus (%)"
    assert rows[1] == ["Ensemble des organismes", "8", "12,5"]


def test_an_unknown_table_is_not_found(commission):
    assert commission.get(reverse("statistiques:table_csv", args=["services"])).status_code == 404


@pytest.mark.parametrize("value", ["1900", "deux-mille", "2025.5", str(datetime.date.today().year + 1)])
def test_an_invalid_year_shows_an_error_next_to_the_field(commission, value):
    response = commission.get(reverse("statistiques:dashboard"), {"annee": value})
    assert response.status_code == 200
    assert response.context["form"].errors["annee"]
    assert 'class="fr-error-text" id="id_annee-error"' in response.content.decode()
    # The figures fall back to the last 24 months.
    assert response.context["period"].year is None
    csv_response = commission.get(reverse("statistiques:table_csv", args=["paliers"]), {"annee": value})
    assert csv_response.status_code == 400


def test_a_valid_year_filters_the_page_and_its_csv_links(commission):
    year = _today().year - 1
    body = CertificationBodyFactory(name="Organisme A")
    for _ in range(5):
        decide(body, on=datetime.date(year, 3, 1))
    response = commission.get(reverse("statistiques:dashboard"), {"annee": str(year)})
    assert response.status_code == 200
    assert response.context["period"].year == year
    html = response.content.decode()
    assert f"/statistiques/organismes.csv?annee={year}" in html
    csv_response = commission.get(reverse("statistiques:table_csv", args=["organismes"]), {"annee": year})
    assert f"statistiques-organismes-{year}.csv" in csv_response["Content-Disposition"]
    assert "Organisme A;0;5" in csv_response.content.decode("utf-8-sig")


def _country(size):
    bodies = [CertificationBodyFactory() for _ in range(3)]
    central = CentralServiceFactory()
    for n in range(size):
        local = LocalServiceFactory(parent=central if n % 2 else None)
        body = bodies[n % 3]
        decision = decide(body, local=local, tier=list(Tier)[n % 3])
        audit(body, local=local)
        label = LabelFactory(decision=decision)
        if n % 4 == 0:
            Suspension.objects.create(
                label=label,
                reason=SuspensionReason.AT_REQUEST,
                starts_on=_today(),
                ends_on=_today() + datetime.timedelta(days=30),
                decided_by=decision.decided_by,
            )
        if n % 5 == 0:
            decide(body, outcome=DecisionOutcome.REFUSAL)


# Session, user, memberships (middleware); the aggregates: 2 (tiers) + 2 (months) + 2 (networks) + 2 (kinds)
# + 2 (bodies) + 2 (refusals) + 2 (suspensions, withdrawals per month) + 2 (per reason) + 3 (activity)
# + 2 (commitments and their titles); the header's unread notifications.
DASHBOARD_QUERIES = 3 + 21 + 1


@pytest.mark.parametrize("size", [3, 30])
def test_the_dashboard_has_a_constant_number_of_queries(commission, django_assert_num_queries, size):
    _country(size)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = commission.get(reverse("statistiques:dashboard"))
    assert response.status_code == 200


@pytest.mark.parametrize("size", [3, 30])
def test_a_csv_has_a_constant_number_of_queries(commission, django_assert_num_queries, size):
    _country(size)
    with django_assert_num_queries(5):
        response = commission.get(reverse("statistiques:table_csv", args=["organismes"]))
    assert response.status_code == 200


def test_the_ditp_reads_the_statistics_too(login):
    client = login(UserFactory(ditp=True))
    response = client.get(reverse("statistiques:dashboard"))
    assert response.status_code == 200


@pytest.mark.parametrize(("trait", "shown"), [("commission", True), ("ditp", True), ("candidate", False)])
def test_the_navigation_links_the_dashboard_for_national_roles_only(login, trait, shown):
    client = login(UserFactory(**{trait: True}))
    html = client.get(reverse("accounts:dashboard")).content.decode()
    assert (f'href="{reverse("statistiques:dashboard")}"' in html) is shown
