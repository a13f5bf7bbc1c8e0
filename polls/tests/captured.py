"""
What a captured query ran. On PostgreSQL the hot path sends a prepared statement (polls.statements):
"PREPARE polls_<label>_<digest> AS ...; EXECUTE ..." the first time on a connection, "EXECUTE
polls_<label>_<digest>(...)" after that.
"""

import re

_NAMED = re.compile(r"^(?:PREPARE .*?; )?EXECUTE polls_(\w+)_[0-9a-f]{8}\b", re.DOTALL)


def label(sql):
    """The prepared statement's label ("listing", "count_first_ballot"), or None for plain SQL."""
    named = _NAMED.match(sql)
    return named.group(1) if named else None


def plannable(sql):
    """The part of the text EXPLAIN takes: a prepared statement's EXECUTE, else the text itself."""
    return sql.rsplit("; ", 1)[-1] if label(sql) else sql
