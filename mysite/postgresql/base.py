"""
Django's PostgreSQL backend, with a health check that costs no round trip, and what each connection
needs for the prepared statements of polls.statements.

CONN_HEALTH_CHECKS makes Django run `SELECT 1` before each request's first query on a kept
connection, so that one closed by the server (a restart, a failover, pg_terminate_backend) is
dropped instead of failing that request. That is a round trip to PostgreSQL per page, about
0.1 ms of CPU under load, an eighth of what the poll list costs (README, Performance).

A server that ends a connection says so on its socket before closing it (an error message, then
end of file), and an idle connection in good health has nothing to read. So the socket is looked
at first: nothing to read, the connection is kept without asking the server; something to read,
the usual `SELECT 1` decides. A connection lost without a word (a cable, a firewall) is found by
the request's first query instead, which fails with the 503 page of
mysite.middleware.DatabaseUnavailableMiddleware; Django drops it at the end of that request.

Prepared statements belong to the session: each new connection starts with none, and is set to
plan_cache_mode = force_generic_plan, so that a statement is planned once, not again for each set
of parameters. (PostgreSQL would otherwise keep re-planning the poll list's query, whose generic
plan, the same index scan, it misprices for its LIMIT and OFFSET parameters, and the first ballot's
UPDATE of its choices. Functions' statements are plans kept per session too.) Only prepared
statements and PL/pgSQL functions keep plans; every other query is planned as it comes. A SET once
per connection, a round trip every CONN_MAX_AGE, rather than a startup option: PgBouncer, by
default, refuses a connection whose startup packet carries a parameter it does not track.
"""

import select

from django.db.backends.postgresql import base

PLAN_ONCE = "SET plan_cache_mode = force_generic_plan"


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        self.prepared_statements = set()  # the names polls.statements has prepared on it
        return connection

    def init_connection_state(self):
        super().init_connection_state()
        with self.connection.cursor() as cursor:
            cursor.execute(PLAN_ONCE)
        if not self.get_autocommit():
            self.connection.commit()  # or a rollback of the first transaction would undo it

    def close_if_health_check_failed(self):
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and not self.pool
            and not self.connection.closed
            and not _has_something_to_read(self.connection)
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()


def _has_something_to_read(connection):
    try:
        readable, _, _ = select.select([connection.fileno()], [], [], 0)
    except (OSError, ValueError):  # no socket any more
        return True
    return bool(readable)
