"""Benchmarks of the surveys (issue #4, « Performance »): 100,000 user-survey rows imported by
`surveys.imports.import_csv`, against a plain PostgreSQL COPY of the same file into a staging table; then the
scoring of those 100,000 questionnaires by `surveys.selectors.campaign_results`, against one plain SQL aggregate.

Run against the throwaway database of scripts/with-services.sh (it migrates it first):
    DJANGO_SETTINGS_MODULE=labelsp.settings.test scripts/with-services.sh \
        .venv/bin/python scripts/bench_survey_import.py [--rows 100000] [--repeat 5]
Goals: import ≤ 3 × COPY; scoring ≤ 1.5 × the plain aggregate. Then the audit grades (scripts/bench_grading.py):
one grade per request and batches of 200, against a trivial authenticated POST (issue #5, no numeric goal). Then the
attestation (scripts/bench_attestation.py): one page rendered and signed ≤ 2 × a bare WeasyPrint page; a central
annex of 500 locals ≤ 1.5 × a bare table of the same rows, per page (issue #6). Then the deadline sweep
(scripts/bench_deadlines.py): 100,000 rows none due against one indexed SELECT, 10,000 due per deadline, and its
peak memory for one batch and five (issue #7). Then the public registry under wrk against gunicorn
(scripts/bench_registry.py, issue #8).
"""

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL = 3.0
SCORING_GOAL = 1.5


def _setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labelsp.settings.test")
    import django

    django.setup()


def _write_csv(path: Path, codes: list[str], rows: int, seed: int = 4) -> None:
    """One row per questionnaire: mostly positions, some labels and NSP, a `complete` column."""
    rng = random.Random(seed)  # noqa: S311 -- benchmark data, not secrets
    cells = ["1", "2", "3", "4", "4", "3", "", "NSP", "Plutôt d’accord"]
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(";".join([*codes, "complete"]) + "\r\n")
        for _ in range(rows):
            answers = [rng.choice(cells) for _ in codes]
            out.write(";".join([*answers, "oui" if rng.random() < 0.95 else "non"]) + "\r\n")


def _fresh_campaign():
    from candidates.models import LocalService
    from surveys.enums import SurveyKind
    from tests.accounts.factories import UserFactory
    from tests.candidates.factories import LocalServiceFactory
    from tests.surveys.factories import CampaignFactory

    local = LocalService.objects.filter(name__startswith="Banc d’essai").first() or LocalServiceFactory(
        name="Banc d’essai des imports"
    )
    user = UserFactory()
    return CampaignFactory(local_service=local, kind=SurveyKind.USERS, population=1_000_000), user


def _time_import(path: Path) -> tuple[float, object]:
    from django.core.files import File

    from surveys.imports import import_csv

    campaign, user = _fresh_campaign()
    with path.open("rb") as handle:
        started = time.perf_counter()
        report = import_csv(campaign=campaign, uploaded_file=File(handle, name=path.name), user=user)
        elapsed = time.perf_counter() - started
    return elapsed, report


def _time_copy(path: Path, columns: int) -> float:
    """A plain COPY of the same file into a throwaway table of text columns, committed (autocommit)."""
    from django.db import connection

    table = "bench_survey_import_staging"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(f"CREATE TABLE {table} ({', '.join(f'c{i} text' for i in range(columns))})")
        pg_cursor = cursor.connection.cursor()
        started = time.perf_counter()
        with (
            path.open("rb") as handle,
            pg_cursor.copy(f"COPY {table} FROM STDIN WITH (FORMAT csv, HEADER true, DELIMITER ';')") as copy,
        ):
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        elapsed = time.perf_counter() - started
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 -- constant table name
        copied = cursor.fetchone()[0]
        cursor.execute(f"DROP TABLE {table}")
    return elapsed, copied


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each measure; the best is kept")
    args = parser.parse_args()

    _setup_django()
    from django.core.management import call_command
    from django.db import connection

    from surveys.models import Questionnaire

    if connection.vendor != "postgresql":
        sys.exit("This benchmark compares with PostgreSQL COPY: run it under scripts/with-services.sh.")
    call_command("migrate", verbosity=0, interactive=False)
    codes = list(
        Questionnaire.objects.current("users").questions.order_by("position").values_list("code", flat=True)
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "reponses.csv"
        _write_csv(path, codes, args.rows)
        size = path.stat().st_size
        print(f"CSV: {args.rows} rows × {len(codes)} questions, {size / 1e6:.1f} Mo")

        imports, copies = [], []
        for run in range(1, args.repeat + 1):
            elapsed, report = _time_import(path)
            imports.append(elapsed)
            print(
                f"  run {run}: import_csv {elapsed:.2f} s "
                f"({report.imported} questionnaires, {report.admissible} admissible)"
            )
            elapsed, copied = _time_copy(path, len(codes) + 1)
            copies.append(elapsed)
            print(f"  run {run}: COPY       {elapsed:.2f} s ({copied} rows)")

        scoring, aggregate = _time_scoring(args.repeat)

    from bench_grading import measure as measure_grading

    grading = measure_grading(args.repeat)

    from bench_attestation import measure as measure_attestation

    attestation = measure_attestation(args.repeat)

    from bench_deadlines import measure as measure_deadlines

    deadlines = measure_deadlines(args.repeat)

    from bench_registry import measure as measure_registry

    registry = measure_registry(args.repeat)

    rows = [
        ("CSV import, 100,000 rows", min(imports), "PostgreSQL COPY of the same file", min(copies), GOAL),
        (
            "Scoring 100,000 questionnaires",
            scoring,
            "one plain SQL aggregate, same table",
            aggregate,
            SCORING_GOAL,
        ),
        *grading,
        *attestation,
        *deadlines,
        *registry,
    ]
    print()
    print(f"{'figure':<32} {'time':>10}   {'baseline':<38} {'time':>10} {'ratio':>8} {'goal':>7}")
    for label, measured, baseline_label, baseline, goal, *unit in rows:
        ratio = measured / baseline
        show = _bytes if unit == ["B"] else _seconds
        verdict = "" if goal is None else ("OK" if ratio <= goal else "ABOVE")
        goal_text = "—" if goal is None else "≤" + format(goal, ".3g") + "×"
        print(
            f"{label:<32} {show(measured):>10}   {baseline_label:<38} {show(baseline):>10} "
            f"{ratio:>7.2f}× {goal_text:>7} {verdict}"
        )


def _bytes(value: float) -> str:
    return f"{value / 1e6:.2f} MB"


def _seconds(value: float) -> str:
    return f"{value:.3f} s" if value >= 0.1 else f"{value * 1000:.2f} ms"


def _time_scoring(repeat: int) -> tuple[float, float]:
    """Score the last imported campaign (100,000 questionnaires) with the platform's selector, against one plain
    SQL aggregate over the same questionnaires' table; best of `repeat` runs each."""
    from django.db import connection

    from surveys.models import Campaign
    from surveys.selectors import campaign_results

    campaign = Campaign.objects.order_by("-pk").first()
    # The same per-question means written by hand: one CASE per question over the stored `positions`.
    question_count = campaign.questionnaire.questions.count()
    means = ", ".join(
        f"avg(CASE substr(positions, {slot}, 1) WHEN '1' THEN 0.0 WHEN '2' THEN 0.25 WHEN '3' THEN 0.75 "
        "WHEN '4' THEN 1.0 END)"
        for slot in range(1, question_count + 1)
    )
    plain_sql = f"SELECT {means} FROM surveys_response WHERE campaign_id = %s AND admissible"  # noqa: S608
    scoring, aggregate = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        campaign_results(campaign)
        scoring.append(time.perf_counter() - started)
        with connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute(plain_sql, [campaign.pk])
            cursor.fetchall()
            aggregate.append(time.perf_counter() - started)
    return min(scoring), min(aggregate)


if __name__ == "__main__":
    main()
