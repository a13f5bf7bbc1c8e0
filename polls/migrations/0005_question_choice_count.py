"""
Question.choice_count, kept by the database: a trigger on polls_choice moves it on every insert,
delete, or change of question, whichever code (the admin, a bulk load, a shell) writes the row.

SQLite drops a table's triggers when a migration rebuilds it (an AlterField on Choice does): such a
migration must create these triggers again. test_choice_count.py fails if they are missing.
"""

from django.db import migrations, models

POSTGRESQL = [
    """
    CREATE FUNCTION polls_choice_count() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'UPDATE') THEN
            UPDATE polls_question SET choice_count = choice_count - 1 WHERE id = OLD.question_id;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            UPDATE polls_question SET choice_count = choice_count + 1 WHERE id = NEW.question_id;
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER polls_choice_count_insert_delete AFTER INSERT OR DELETE ON polls_choice
    FOR EACH ROW EXECUTE FUNCTION polls_choice_count()
    """,
    # Not for every UPDATE: a vote updates Choice.votes, and save() writes question_id unchanged.
    """
    CREATE TRIGGER polls_choice_count_move AFTER UPDATE OF question_id ON polls_choice
    FOR EACH ROW WHEN (OLD.question_id IS DISTINCT FROM NEW.question_id)
    EXECUTE FUNCTION polls_choice_count()
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER polls_choice_count_move ON polls_choice",
    "DROP TRIGGER polls_choice_count_insert_delete ON polls_choice",
    "DROP FUNCTION polls_choice_count()",
]

SQLITE = [
    """
    CREATE TRIGGER polls_choice_count_insert AFTER INSERT ON polls_choice BEGIN
        UPDATE polls_question SET choice_count = choice_count + 1 WHERE id = NEW.question_id;
    END
    """,
    """
    CREATE TRIGGER polls_choice_count_delete AFTER DELETE ON polls_choice BEGIN
        UPDATE polls_question SET choice_count = choice_count - 1 WHERE id = OLD.question_id;
    END
    """,
    """
    CREATE TRIGGER polls_choice_count_move AFTER UPDATE OF question_id ON polls_choice
    WHEN OLD.question_id IS NOT NEW.question_id BEGIN
        UPDATE polls_question SET choice_count = choice_count - 1 WHERE id = OLD.question_id;
        UPDATE polls_question SET choice_count = choice_count + 1 WHERE id = NEW.question_id;
    END
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER polls_choice_count_move",
    "DROP TRIGGER polls_choice_count_delete",
    "DROP TRIGGER polls_choice_count_insert",
]

COUNT_EXISTING = """
    UPDATE polls_question SET choice_count = (
        SELECT COUNT(*) FROM polls_choice WHERE polls_choice.question_id = polls_question.id
    )
"""


def _run(schema_editor, statements):
    vendor = schema_editor.connection.vendor
    if vendor not in statements:
        raise NotImplementedError(f"Polls keeps Question.choice_count with triggers on PostgreSQL and SQLite, not {vendor}.")
    for statement in statements[vendor]:
        schema_editor.execute(statement)


def create_triggers(apps, schema_editor):
    schema_editor.execute(COUNT_EXISTING)
    _run(schema_editor, {"postgresql": POSTGRESQL, "sqlite": SQLITE})


def drop_triggers(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE})


class Migration(migrations.Migration):

    dependencies = [
        ('polls', '0004_ballot_newest_first'),
    ]

    operations = [
        migrations.AddField(
            model_name='question',
            name='choice_count',
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name='choices'),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
