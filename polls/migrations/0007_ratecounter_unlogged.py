"""
Rate counters in an UNLOGGED table on PostgreSQL: no write-ahead log, so counting a vote against
its client's limit costs no WAL write and its commit no wait for the disk. After a crash
PostgreSQL empties the table, which costs nothing but a fresh window for every client: exactly the
data a rate limit may lose. (Ballots and votes stay in ordinary, crash-safe tables.)
"""

from django.db import migrations


def unlogged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE polls_ratecounter SET UNLOGGED")


def logged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE polls_ratecounter SET LOGGED")


class Migration(migrations.Migration):

    dependencies = [
        ('polls', '0006_cast_first_ballot'),
    ]

    operations = [
        migrations.RunPython(unlogged, logged),
    ]
