"""
Drop polls_cast_first_ballot() (migration 0006). Migration 0009 kept it beside its successor,
polls_count_first_ballot(), for the dynos of the release before, which called it while the release
phase migrated. The dynos that serve while this migration runs call only the successor.
"""

import importlib

from django.db import migrations

# 0006's own steps, run the other way round: reversing this migration puts the function back.
created = importlib.import_module("polls.migrations.0006_cast_first_ballot")


class Migration(migrations.Migration):

    dependencies = [
        ('polls', '0009_count_first_ballot'),
    ]

    operations = [
        migrations.RunPython(created.drop_function, created.create_function),
    ]
