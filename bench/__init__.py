"""
`make bench`: Polls under load on gunicorn and PostgreSQL, beside Django's floor and the tutorial app.

Tooling, never shipped in the app: run as `python -m bench` with DJANGO_SETTINGS_MODULE=bench.settings.
"""


class BenchError(Exception):
    """A run that cannot go on; `python -m bench` prints it and exits."""
