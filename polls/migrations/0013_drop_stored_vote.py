"""
Drop what the vote and the choice count used to keep in the database: the stored functions of
migrations 0006, 0009 and 0011, the choice triggers of 0005, and the column Question.choice_count.
Every ballot is now written by polls.voting.cast_vote() with the ORM, on every database.

Release order. Heroku's release phase runs a migration while the previous release's dynos keep
serving, so this one must never reach a database in the release that stops using what it drops.
Migration 0012 is that release: its code calls none of these objects, and it leaves them in place
for the dynos before it. An app deployed before 0012 therefore upgrades in two pushes, each a
release of its own:

    git push heroku "$(git log -1 --format=%H -- polls/migrations/0012_*.py)":main
    git push heroku main

The first push's dynos serve while the second one's release phase runs this. A fresh database
never runs it (migration 0001_squashed_0013 builds the schema without these objects).

Within this migration, on PostgreSQL: the two tables are locked first, in the order a vote takes
them (the question, then its choices), so no vote waits in a circle with this migration; with a
lock timeout of three seconds, so a long transaction fails the release (Heroku keeps the running
release; push again) instead of holding every request queued behind the lock. Everything happens
in one transaction: the dynos see all of it or none of it.
"""

from django.db import migrations

DROPS = {
    "postgresql": [
        "SET LOCAL lock_timeout = '3s'",
        "LOCK TABLE polls_question, polls_choice IN ACCESS EXCLUSIVE MODE",
        "DROP FUNCTION IF EXISTS polls_count_limited_first_ballot(varchar, bigint, integer, bigint, uuid, bigint[], timestamptz)",
        "DROP FUNCTION IF EXISTS polls_count_first_ballot(bigint, uuid, bigint[], timestamptz)",
        "DROP FUNCTION IF EXISTS polls_cast_first_ballot(bigint, uuid, bigint[], timestamptz)",
        "DROP TRIGGER IF EXISTS polls_choice_count_move ON polls_choice",
        "DROP TRIGGER IF EXISTS polls_choice_count_insert_delete ON polls_choice",
        "DROP FUNCTION IF EXISTS polls_choice_count()",
        "ALTER TABLE polls_question DROP COLUMN IF EXISTS choice_count",
    ],
    "sqlite": [],  # migration 0012 dropped the triggers and the column there; it had no functions
}


def drop(apps, schema_editor):
    for statement in DROPS[schema_editor.connection.vendor]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('polls', '0012_question_choice_count_leaves_the_model'),
    ]

    operations = [
        # Not reversible: the functions' and triggers' logic now lives in polls.voting alone.
        migrations.RunPython(drop),
    ]
