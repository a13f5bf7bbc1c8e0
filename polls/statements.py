"""
The hot path's SQL as prepared statements: on PostgreSQL, parsed and planned once per connection.

Every public page and every first ballot is one short statement, and PostgreSQL spent about as long
planning each as running it. Measured as the server's CPU per request (README, Performance): the
poll list 0.28 ms planned each time, 0.20 prepared; a question page 0.24 and 0.13; a first ballot
1.26 and 0.82. So a statement is prepared by the first request that runs it on a connection, in the
same round trip as its first EXECUTE, and executed by name after that. A connection lives for
minutes (CONN_MAX_AGE), and its session keeps what it prepared (mysite.postgresql sets it up). The
texts are the code's own, with every value a parameter, so a session holds a handful at most.

Elsewhere than on PostgreSQL a statement runs as written.
"""

import hashlib

from django.db import OperationalError, ProgrammingError

# SQLSTATEs: EXECUTE of a name the session does not hold; PREPARE of a name it holds already.
NOT_PREPARED = "26000"
ALREADY_PREPARED = "42P05"


class Statement:
    """One SQL statement, written with %s placeholders as cursor.execute() takes them."""

    def __init__(self, label, sql):
        self.sql = sql
        # The label says what runs (in pg_stat_activity, in tests); the digest of the text makes a
        # name mean one statement in any process, so a session that holds the name holds the text.
        self.name = f"polls_{label}_{hashlib.blake2b(sql.encode(), digest_size=4).hexdigest()}"
        parts = sql.split("%s")
        numbered = "".join(part + f"${number}" for number, part in enumerate(parts[:-1], 1)) + parts[-1]
        arguments = f"({', '.join(['%s'] * (len(parts) - 1))})" if len(parts) > 1 else ""
        self.execute_sql = f"EXECUTE {self.name}{arguments}"
        self.prepare_and_execute_sql = f"PREPARE {self.name} AS {numbered}; {self.execute_sql}"

    def execute(self, cursor, params):
        database = cursor.db
        if database.vendor != "postgresql":
            cursor.execute(self.sql, params)
            return
        held = database.prepared_statements  # by this connection's session (mysite.postgresql)
        if self.name in held:
            try:
                cursor.execute(self.execute_sql, params)
                return
            except OperationalError as error:
                # Lost by the session (DISCARD ALL, a pooler's other server connection).
                if not _may_retry(error, NOT_PREPARED, database):
                    raise
        # Held from here on: a PREPARE outlives an EXECUTE that fails after it, and any rollback.
        held.add(self.name)
        try:
            cursor.execute(self.prepare_and_execute_sql, params)
        except ProgrammingError as error:
            # Prepared already by this session, unknown to this process (through a pooler).
            if not _may_retry(error, ALREADY_PREPARED, database):
                raise
            cursor.execute(self.execute_sql, params)


def _may_retry(error, sqlstate, database):
    """Whether the error is this one, and left no transaction that a retry would run in, spoilt."""
    return getattr(error.__cause__, "pgcode", None) == sqlstate and not database.in_atomic_block
