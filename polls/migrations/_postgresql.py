"""
Migration steps in PostgreSQL's own language (PL/pgSQL functions): run there, skipped elsewhere.

SQLite, the embedded default, has no PL/pgSQL, and on it every vote takes the general path
(polls.voting). Not a migration itself: Django's loader skips modules named with a leading underscore.
"""


def on_postgresql(sql):
    """A RunPython step that executes `sql` on PostgreSQL and does nothing on another database."""

    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run
