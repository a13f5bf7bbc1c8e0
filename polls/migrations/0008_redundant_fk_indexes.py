"""
Drop the indexes of Choice.question and Vote.ballot: a unique constraint's index leads with the same
column on each table (choice_text_unique_per_question, one_vote_per_choice_per_ballot) and serves
every lookup they served, so they only cost each vote and each new choice an insertion.

Only the indexes: Django's AlterField would also drop and re-add each foreign key, and re-adding
one re-checks every row (a million votes) under a lock that holds the votes back meanwhile.
"""

import django.db.models.deletion
from django.db import migrations, models

# The names Django gave them in 0001 (the same on PostgreSQL and SQLite).
INDEXES = {
    "polls_choice_question_id_c5b4b260": ("polls_choice", "question_id"),
    "polls_vote_ballot_id_12a97e6c": ("polls_vote", "ballot_id"),
}


class Migration(migrations.Migration):

    dependencies = [
        ('polls', '0007_ratecounter_unlogged'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"', f'CREATE INDEX "{name}" ON "{table}" ("{column}")'
                )
                for name, (table, column) in INDEXES.items()
            ],
            state_operations=[
                migrations.AlterField(
                    model_name='choice',
                    name='question',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='choices', to='polls.question'),
                ),
                migrations.AlterField(
                    model_name='vote',
                    name='ballot',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='votes', to='polls.ballot'),
                ),
            ],
        ),
    ]
