"""
The public pages' hot reads, in SQL written out.

Every public request starts with one of these. Built by the ORM, even a one-row query costs about
0.4 ms of Python to build and compile on a 2-core dyno, four times Django's whole floor page (see
README, Performance); written out, it costs a tenth of that. The QuerySet vocabulary in models.py
stays the definition of what is public, open or closed (the admin, exports and tests use it), and
test_queries.py proves that each function here returns exactly what its vocabulary twin does.
"""

import functools

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone

from .models import Ballot, Choice, Question, Vote

# QuestionQuerySet.published(), for the question aliased q.
_PUBLISHED = "q.choice_count >= 2 AND q.pub_date <= %s"
# What each list adds to it, as QuestionQuerySet.open() and .closed() do.
_LISTS = {
    "open": "(q.closes_at IS NULL OR q.closes_at > %s)",
    "closed": "q.closes_at <= %s",
}


def public_question(pk):
    """Question.objects.published().filter(pk=pk).first()"""
    now = moment(timezone.now())
    sql = f"SELECT {_columns(Question, 'q')} FROM {table(Question)} q WHERE q.id = %s AND {_PUBLISHED}"
    found = _fetch(Question, sql, [pk, now])
    return found[0] if found else None


def public_choices(question):
    """question.choices.order_by("position", "pk"), for a question read just now."""
    sql = (
        f"SELECT {_columns(Choice, 'c')} FROM {table(Choice)} c "
        "WHERE c.question_id = %s ORDER BY c.position, c.id"
    )
    return _fetch(Choice, sql, [question.pk])


def held_choice_ids(question, voter):
    """The ids of the choices on the voter's ballot: Vote.objects.cast_by(voter, question)."""
    if voter is None:
        return set()
    sql = (
        f"SELECT v.choice_id FROM {table(Vote)} v JOIN {table(Ballot)} b ON b.id = v.ballot_id "
        "WHERE b.question_id = %s AND b.voter = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [question.pk, voter_value(voter)])
        return {choice_id for (choice_id,) in cursor.fetchall()}


class Listing:
    """
    Question.objects.open() (or .closed()).with_voted(voter), newest first, read one slice at a time.

    Slicing runs one query for the rows of that slice (all polls.paging asks of a list).
    """

    def __init__(self, status, voter):
        self.condition = _LISTS[status]
        self.voter = voter

    def __getitem__(self, rows):
        now = moment(timezone.now())
        if self.voter is None:
            voted, params = "0", [now, now]
        else:
            voted = f"EXISTS (SELECT 1 FROM {table(Ballot)} b WHERE b.question_id = q.id AND b.voter = %s)"
            params = [voter_value(self.voter), now, now]
        sql = (
            f"SELECT {_columns(Question, 'q')}, {voted} AS voted FROM {table(Question)} q "
            f"WHERE {_PUBLISHED} AND {self.condition} ORDER BY q.pub_date DESC, q.id DESC LIMIT %s OFFSET %s"
        )
        return _fetch(Question, sql, [*params, rows.stop - rows.start, rows.start], extra=["voted"])


def _fetch(model, sql, params, extra=()):
    """
    Run `sql`, which selects the model's columns (then one column per name in `extra`), and
    return model instances as a QuerySet would: what Model.objects.raw() does, for less Python.
    """
    converters = _converters(model)
    database = connections[DEFAULT_DB_ALIAS]  # the proxy `connection` looks it up on every use
    found = []
    with database.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            values = list(row)
            for index, convert in converters:
                values[index] = convert(values[index])
            instance = model.from_db(database.alias, None, values[: len(values) - len(extra)])
            for name, value in zip(extra, row[len(row) - len(extra) :], strict=True):
                setattr(instance, name, value)
            found.append(instance)
    return found


@functools.cache
def _converters(model):
    """The backend's conversions of the model's columns (SQLite's text datetimes, say), by position."""
    found = []
    for index, field in enumerate(model._meta.concrete_fields):
        column = field.get_col(model._meta.db_table)
        steps = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if steps:
            found.append((index, functools.partial(_convert, steps, column)))
    return found


def _convert(steps, column, value):
    for step in steps:
        value = step(value, column, connection)
    return value


@functools.cache
def _columns(model, alias):
    return ", ".join(f"{alias}.{connection.ops.quote_name(f.column)}" for f in model._meta.concrete_fields)


@functools.cache
def table(model):
    """The model's table name, quoted for SQL."""
    return connection.ops.quote_name(model._meta.db_table)


def moment(when):
    """A datetime as the database driver takes it (SQLite wants text)."""
    return connection.ops.adapt_datetimefield_value(when)


def voter_value(voter):
    """A voter id as the database driver takes it (SQLite stores UUIDs as text)."""
    return Ballot._meta.get_field("voter").get_db_prep_value(voter, connection)
