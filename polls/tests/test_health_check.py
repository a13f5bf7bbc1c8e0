"""
The database health check (mysite.postgresql): free for a connection in good health, and still
dropping one the server ended, so the request after a restart is answered, not failed.
"""

import select
import time

import psycopg2
import pytest
from django.db import connection, connections

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@pytest.fixture
def asked(postgres, monkeypatch):
    """The `SELECT 1` checks made, counted; each still runs."""
    calls = []
    wrapper = type(connections["default"])
    ask = wrapper.is_usable

    def counted(self):
        calls.append(self.connection)
        return ask(self)

    monkeypatch.setattr(wrapper, "is_usable", counted)
    return calls


def a_new_request():
    """What Django does for each request: look at the kept connection again before its first query."""
    connection.close_if_unusable_or_obsolete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def end_from_the_server(kept):
    """pg_terminate_backend(), as a restart or a failover ends a connection; wait until it is said."""
    with psycopg2.connect(**connection.get_connection_params()) as other, other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [kept.info.backend_pid])
    deadline = time.monotonic() + 5
    while not select.select([kept.fileno()], [], [], 0.05)[0] and time.monotonic() < deadline:
        pass


def test_a_connection_in_good_health_is_kept_without_asking_the_server(asked):
    connection.ensure_connection()
    kept = connection.connection
    for _ in range(3):
        a_new_request()
    assert connection.connection is kept
    assert asked == []


def test_a_connection_the_server_ended_is_replaced_before_the_request_uses_it(asked):
    connection.ensure_connection()
    kept = connection.connection
    end_from_the_server(kept)

    a_new_request()  # would raise OperationalError if the ended connection were used

    assert asked == [kept]  # the socket had something to say, so the server was asked
    assert connection.connection is not kept
    assert kept.closed
