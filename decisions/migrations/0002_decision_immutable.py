"""Decisions are immutable once issued (issue #6): the database itself refuses any UPDATE or DELETE of a decision
row, whatever the code path (ORM, admin, raw SQL). A correction is a new decision that references the one it
replaces. TRUNCATE (test teardown) is not a row event and stays possible."""

from django.db import migrations

MESSAGE = "decisions are immutable once issued: record a new decision that replaces this one"

POSTGRESQL = [
    f"""
    CREATE FUNCTION decisions_decision_immutable() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER decisions_decision_immutable BEFORE UPDATE OR DELETE ON decisions_decision
    FOR EACH ROW EXECUTE FUNCTION decisions_decision_immutable()
    """,
]
SQLITE = [
    f"""
    CREATE TRIGGER decisions_decision_no_update BEFORE UPDATE ON decisions_decision
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
    f"""
    CREATE TRIGGER decisions_decision_no_delete BEFORE DELETE ON decisions_decision
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
]


def create_triggers(apps, schema_editor):
    statements = POSTGRESQL if schema_editor.connection.vendor == "postgresql" else SQLITE
    for statement in statements:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER decisions_decision_immutable ON decisions_decision")
        schema_editor.execute("DROP FUNCTION decisions_decision_immutable()")
    else:
        schema_editor.execute("DROP TRIGGER decisions_decision_no_update")
        schema_editor.execute("DROP TRIGGER decisions_decision_no_delete")


class Migration(migrations.Migration):
    dependencies = [("decisions", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
