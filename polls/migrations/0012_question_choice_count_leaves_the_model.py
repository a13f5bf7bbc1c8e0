"""
Question.choice_count leaves the model: the code of this release neither reads nor writes it
(QuestionQuerySet.published() counts a question's choices itself). Nothing is dropped yet.

The release phase runs this while the dynos of the release before still serve, and those read
choice_count on every page and count first ballots in stored functions (migrations 0005, 0009,
0011). So on PostgreSQL the column, its triggers and the functions all stay, working as before,
until migration 0013 drops them in a later release. The column only gets a database default, for
the INSERTs of this release's code, which no longer name it.

On SQLite, a developer's database that one process serves, no older release serves beside this
one: the triggers and the column go at once (a rebuild of the table, as Django's AlterField would
make, fails on the triggers that name it).
"""

from django.db import migrations

STEPS = {
    "postgresql": ["ALTER TABLE polls_question ALTER COLUMN choice_count SET DEFAULT 0"],
    "sqlite": [
        "DROP TRIGGER polls_choice_count_move",
        "DROP TRIGGER polls_choice_count_delete",
        "DROP TRIGGER polls_choice_count_insert",
        "ALTER TABLE polls_question DROP COLUMN choice_count",
    ],
}


def leave_the_model(apps, schema_editor):
    for statement in STEPS[schema_editor.connection.vendor]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('polls', '0011_count_limited_first_ballot'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(leave_the_model)],
            state_operations=[
                migrations.RemoveField(model_name='question', name='choice_count'),
            ],
        ),
    ]
