"""
The public pages' hot reads, in SQL written out.

Every public request starts with one of these. Built by the ORM, even a one-row query costs about
0.4 ms of Python to build and compile on a 2-core dyno, four times Django's whole floor page (see
README, Performance); written out, it costs a tenth of that. The QuerySet vocabulary in models.py
stays the definition of what is public, open or closed (the admin, exports and tests use it), and
test_queries.py proves that each function here returns exactly what its vocabulary twin does. On
PostgreSQL each runs as a prepared statement (polls.statements), planned once per connection.
"""

import functools

from django.db import DEFAULT_DB_ALIAS, connection
from django.utils import timezone

from .models import Ballot, Choice, Question, Vote
from .statements import Statement

# QuestionQuerySet.published(), for the question aliased q.
_PUBLISHED = "q.choice_count >= 2 AND q.pub_date <= %s"
# What the poll list shows of a question (polls/index.html), so all a kept list page depends on.
# A list reads only these: less to read, and a smaller version to compare (polls.pages).
_LISTED = ("id", "question_text", "closes_at", "max_choices", "results_visibility", "voter_count")
# What each list adds to it, as QuestionQuerySet.open() and .closed() do.
_LISTS = {
    "open": "(q.closes_at IS NULL OR q.closes_at > %s)",
    "closed": "q.closes_at <= %s",
}


def public_question(pk):
    """Question.objects.published().filter(pk=pk).first()"""
    now = moment(timezone.now())
    sql = f"SELECT {_columns(Question, 'q')} FROM {table(Question)} q WHERE q.id = %s AND {_PUBLISHED}"
    rows = _rows("public_question", sql, [pk, now])
    return instance(Question, rows[0]) if rows else None


def public_poll(pk):
    """
    public_question(pk) and public_choices() of it, in one query: what a vote needs.

    (None, []) when no published question has this pk; a published one has two choices or more.
    """
    sql = (
        f"SELECT {_columns(Question, 'q')}, {_columns(Choice, 'c')} "
        f"FROM {table(Question)} q JOIN {table(Choice)} c ON c.question_id = q.id "
        f"WHERE q.id = %s AND {_PUBLISHED} ORDER BY c.position, c.id"
    )
    rows = _rows("public_poll", sql, [pk, moment(timezone.now())])
    if not rows:
        return None, []
    width = len(Question._meta.concrete_fields)
    return instance(Question, rows[0][:width]), [instance(Choice, row[width:]) for row in rows]


def public_choices(question):
    """question.choices.order_by("position", "pk"), for a question read just now."""
    sql = (
        f"SELECT {_columns(Choice, 'c')} FROM {table(Choice)} c "
        "WHERE c.question_id = %s ORDER BY c.position, c.id"
    )
    return [instance(Choice, row) for row in _rows("public_choices", sql, [question.pk])]


def held_choice_ids(question, voter):
    """The ids of the choices on the voter's ballot: Vote.objects.cast_by(voter, question)."""
    if voter is None:
        return set()
    sql = (
        f"SELECT v.choice_id FROM {table(Vote)} v JOIN {table(Ballot)} b ON b.id = v.ballot_id "
        "WHERE b.question_id = %s AND b.voter = %s"
    )
    return {choice_id for (choice_id,) in _rows("held_choice_ids", sql, [question.pk, voter_value(voter)])}


class Listing:
    """
    Question.objects.open() (or .closed()).with_voted(voter), newest first, read one slice at a time.

    Slicing runs one query and gives the rows as read, each ending with "voted" (all polls.paging
    asks of a list, and all a kept page needs to know it is current); questions() makes them
    Question instances for a page to render.
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
            f"SELECT {_columns(Question, 'q', _LISTED)}, {voted} AS voted FROM {table(Question)} q "
            f"WHERE {_PUBLISHED} AND {self.condition} ORDER BY q.pub_date DESC, q.id DESC LIMIT %s OFFSET %s"
        )
        return _rows("listing", sql, [*params, rows.stop - rows.start, rows.start])

    @staticmethod
    def questions(rows):
        """The rows as Question instances (with only the fields the list shows), each with `voted`."""
        questions = []
        for row in rows:
            question = instance(Question, row[:-1], _LISTED)
            question.voted = bool(row[-1])  # SQLite answers 0 or 1
            questions.append(question)
        return questions

    @staticmethod
    def shows_time(rows):
        """Whether a poll among the rows has a closing time, which the list shows."""
        return any(row[_LISTED.index("closes_at")] is not None for row in rows)


def _rows(label, sql, params):
    with connection.cursor() as cursor:
        statement(label, sql).execute(cursor, params)
        return cursor.fetchall()


@functools.cache
def statement(label, sql):
    """The prepared statement (polls.statements) of this text, made once per process."""
    return Statement(label, sql)


def instance(model, values, fields=None):
    """
    The model instance a QuerySet would make of these column values (of `fields`, by default all
    the model's, in the model's order; the others deferred): what Model.objects.raw() does, for
    less Python.
    """
    values = list(values)
    for index, convert in _converters(model, fields):
        values[index] = convert(values[index])
    return model.from_db(DEFAULT_DB_ALIAS, fields, values)


def _fields(model, names):
    every = model._meta.concrete_fields
    return every if names is None else [model._meta.get_field(name) for name in names]


@functools.cache
def _converters(model, fields):
    """The backend's conversions of these columns (SQLite's text datetimes, say), by position."""
    listed = _fields(model, fields)
    # Model.from_db() places values in the model's field order: any other would swap them silently.
    positions = [model._meta.concrete_fields.index(field) for field in listed]
    if positions != sorted(positions):
        raise ValueError(f"{model.__name__} fields out of the model's order: {fields}")
    found = []
    for index, field in enumerate(listed):
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
def _columns(model, alias, fields=None):
    return ", ".join(f"{alias}.{connection.ops.quote_name(f.column)}" for f in _fields(model, fields))


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
