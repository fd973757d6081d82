"""Decisions are immutable in the database; labels last three years from their decision (issue #6)."""

import datetime

import pytest
from django.db import IntegrityError, InternalError, connection, transaction

from decisions.models import Decision, Label, label_last_day
from tests.decisions.factories import DecisionFactory, LabelFactory

pytestmark = pytest.mark.django_db


def test_an_issued_decision_cannot_be_updated_nor_deleted_even_in_raw_sql():
    decision = DecisionFactory()
    with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
        Decision.objects.filter(pk=decision.pk).update(motivation="Changé après coup")
    with pytest.raises((IntegrityError, InternalError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM decisions_decision WHERE id = %s", [decision.pk])
    decision.refresh_from_db()
    assert decision.motivation == ""


def test_a_correction_is_a_new_decision_referencing_the_replaced_one():
    decision = DecisionFactory()
    correction = DecisionFactory(application=decision.application, replaces=decision, tier="or")
    assert decision.replaced_by == correction
    with pytest.raises(IntegrityError), transaction.atomic():
        DecisionFactory(application=decision.application, replaces=decision)


def test_a_refusal_must_be_motivated_and_has_no_tier():
    with pytest.raises(IntegrityError), transaction.atomic():
        DecisionFactory(outcome="refusal", tier="", motivation="")
    with pytest.raises(IntegrityError), transaction.atomic():
        DecisionFactory(outcome="refusal", tier="argent", motivation="Enquête usagers sous 70.")
    DecisionFactory(outcome="refusal", tier="", motivation="Enquête usagers sous 70.")


@pytest.mark.parametrize(
    ("decided", "last_day"),
    [
        (datetime.date(2027, 3, 15), datetime.date(2030, 3, 14)),
        (datetime.date(2028, 2, 29), datetime.date(2031, 2, 27)),
        (datetime.date(2026, 1, 1), datetime.date(2028, 12, 31)),
    ],
)
def test_a_label_is_valid_three_years_from_its_decision(decided, last_day):
    assert label_last_day(decided) == last_day


def test_expiry_is_derived_from_the_dates():
    label = LabelFactory(decision__decided_on=datetime.date(2027, 3, 15))
    assert label.ends_on == datetime.date(2030, 3, 14)
    assert not label.is_expired(datetime.date(2030, 3, 14))
    assert label.is_expired(datetime.date(2030, 3, 15))
    assert list(Label.objects.in_force(datetime.date(2030, 3, 14))) == [label]
    assert not Label.objects.in_force(datetime.date(2030, 3, 15)).exists()
    assert not Label.objects.in_force(datetime.date(2027, 3, 14)).exists()


def test_the_demo_database_sqlite_keeps_decisions_immutable_after_every_migration(tmp_path):
    """SQLite rebuilds a table to change its constraints, dropping its triggers: the migrations put them back."""
    import os
    import sqlite3
    import subprocess
    import sys

    database = tmp_path / "demo.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "labelsp.settings.dev",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], check=True, env=env, timeout=300
    )
    triggers = {
        name
        for (name,) in sqlite3.connect(database).execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'decisions_decision'"
        )
    }
    assert triggers == {"decisions_decision_no_update", "decisions_decision_no_delete"}
