"""
cast_vote(): the one transaction that records, changes or refuses a ballot. cast_first_ballot():
on PostgreSQL, the most common of them (a voter's first ballot) in one statement.
"""

import enum
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from . import queries
from .models import Ballot, Choice, Question, Vote


class Outcome(enum.Enum):
    CAST = "cast"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class Receipt:
    outcome: Outcome
    choices: list  # the choices the ballot now holds
    previous: list  # the choices it held before (empty for a new ballot)


class VoteRefused(Exception):
    """The ballot cannot be written; the message says why, for the voter to read."""


class PollClosed(VoteRefused):
    def __init__(self, message, closes_at):
        super().__init__(message)
        self.closes_at = closes_at  # as the database held it when it refused the ballot


class PollGone(VoteRefused):
    """The question was deleted or unpublished while the voter had its form open."""


class TooManyChoices(VoteRefused):
    pass


class VoteUnconfirmed(Exception):
    """The connection died during COMMIT: the ballot may or may not have been recorded."""


def cast_vote(*, question, choices, voter):
    """
    Make the voter's ballot on the question hold exactly `choices`.

    A new voter gets a new ballot; a voter who picks again moves the ballot (counts move with it);
    the same pick twice changes nothing. Counters move by increments in the same transaction as
    the rows, so Choice.votes always equals the number of Vote rows.
    """
    if not choices:
        raise VoteRefused("Pick at least one choice.")
    if any(choice.question_id != question.pk for choice in choices):
        raise VoteRefused("That choice does not belong to this question.")
    with _atomic_telling_lost_commits():
        return _write_ballot(question, choices, voter)


def cast_first_ballot(*, question_id, choice_ids, voter, hit=None):
    """
    Count the voter's first ballot on a question from the choice ids alone, in one statement.

    Given the POST's rate-limit hit (polls.ratelimit.Hit), the statement counts it first and writes
    no ballot past the limit; hit.hits then holds the count, for hit.wait().

    Return (question, receipt), the question with only what the next page needs (its results'
    visibility and closing time), or None when nothing was written: the database checked that the
    question is public and open, that it takes that many choices, that they are its own, and that
    the voter has no ballot on it yet. Then cast_vote(), given the poll as read, does what is
    right, and says why.

    Most votes are a first ballot. polls_count_first_ballot() (migration 0009) makes the
    same writes as _write_ballot(), in the same order, and commits with the statement: the poll's
    counter rows stay locked only while PostgreSQL itself works, never across a round trip to
    this process. Votes on one poll still take those rows in turn (README, Performance), but none
    waits on Python. Elsewhere than on PostgreSQL, every vote takes cast_vote().
    """
    if connection.vendor != "postgresql":
        return None
    ballot = [question_id, voter, sorted(choice_ids), timezone.now()]
    if hit is None:
        # NULL where 0011's function answers the count: one row shape for both.
        label, params = "count_first_ballot", ballot
        sql = "SELECT NULL, * FROM polls_count_first_ballot(%s, %s, %s::bigint[], %s)"
    else:
        # Migration 0011: the count in the same round trip and transaction as the ballot.
        label, params = "count_limited_first_ballot", [hit.key, hit.started, hit.limit, *ballot]
        sql = "SELECT * FROM polls_count_limited_first_ballot(%s, %s, %s, %s, %s, %s::bigint[], %s)"
    # Opening the cursor connects when needed: a database it cannot reach was sent nothing, and
    # its error means just that.
    with connection.cursor() as cursor:
        try:
            queries.statement(label, sql).execute(cursor, params)
            hits, visibility, closing, counted_ids, counted_texts = cursor.fetchone()
        except (OperationalError, InterfaceError) as error:
            if connection.in_atomic_block:
                raise  # a caller's transaction: nothing of it was committed
            # Autocommit: the statement is its own transaction, and its answer never came.
            raise VoteUnconfirmed("The database stopped answering while saving the vote.") from error
    if hit is not None:
        hit.hits = hits
    if counted_ids is None:
        return None
    question = queries.instance(Question, [question_id, closing, visibility], _ANSWERED)
    choices = [
        queries.instance(Choice, [pk, question_id, text], _COUNTED)
        for pk, text in zip(counted_ids, counted_texts, strict=True)
    ]
    return question, Receipt(Outcome.CAST, choices, [])


# What polls_count_first_ballot() answers of the question and of each choice it counted, as
# queries.instance() takes fields: in the model's order.
_ANSWERED = ("id", "closes_at", "results_visibility")
_COUNTED = ("id", "question_id", "choice_text")


def _write_ballot(question, choices, voter):
    # SQL written out, as in polls.queries: built by the ORM these statements cost ~2 ms of Python
    # per vote, most of the vote's time. Every value is a parameter.
    #
    # The hot rows (the question's and the choices' counters, which every voter of a poll writes)
    # are locked last, by the two UPDATEs right before COMMIT, so votes on one poll queue for them
    # no longer than the counters need. What comes first touches only this voter's rows.
    wanted = {choice.pk for choice in choices}
    now = timezone.now()
    ballot, question_table, choice_table, vote_table = map(queries.table, (Ballot, Question, Choice, Vote))
    with connection.cursor() as cursor:
        # Create the ballot, or lock this voter's existing one: the unique constraint makes every
        # other vote of this voter on this question wait here until this one commits.
        cursor.execute(
            f"INSERT INTO {ballot} (question_id, voter, cast_at) VALUES (%s, %s, %s) "
            "ON CONFLICT (voter, question_id) DO UPDATE SET voter = excluded.voter RETURNING id",
            [question.pk, queries.voter_value(voter), queries.moment(now)],
        )
        [ballot_id] = cursor.fetchone()
        cursor.execute(f"SELECT choice_id FROM {vote_table} WHERE ballot_id = %s", [ballot_id])
        held = {choice_id for (choice_id,) in cursor.fetchall()}
        if held == wanted:
            return Receipt(Outcome.UNCHANGED, _ordered(choices), _ordered(choices))
        new_ballot = not held  # a ballot is never left empty: it was made just now

        added, removed = sorted(wanted - held), sorted(held - wanted)
        if removed:
            cursor.execute(
                f"DELETE FROM {vote_table} WHERE ballot_id = %s AND choice_id IN ({_marks(removed)})",
                [ballot_id, *removed],
            )
        if added:
            rows = ", ".join(["(%s, %s)"] * len(added))
            cursor.execute(
                f"INSERT INTO {vote_table} (ballot_id, choice_id) VALUES {rows}",
                [value for choice_id in added for value in (ballot_id, choice_id)],
            )
        # The closing time and the choice limit as they are now, read under the question's row
        # lock by the statement that counts the ballot: a poll closed by an editor a moment ago,
        # or whose limit was lowered, refuses the vote (the exception rolls everything back).
        cursor.execute(
            f"UPDATE {question_table} SET voter_count = voter_count + %s, revision = revision + 1 "
            "WHERE id = %s AND max_choices >= %s "
            "AND pub_date <= %s AND (closes_at IS NULL OR closes_at > %s)",
            [int(new_ballot), question.pk, len(wanted), queries.moment(now), queries.moment(now)],
        )
        if cursor.rowcount != 1:
            _refuse(question, wanted)
        # Then every choice that moves, in one statement: the question first and the choices
        # after it, in every vote (and in the admin's saves), so no two transactions wait on each
        # other in a circle.
        moving = [*added, *removed]
        change = f"CASE WHEN id IN ({_marks(added)}) THEN 1 ELSE -1 END" if added else "-1"
        cursor.execute(
            f"UPDATE {choice_table} SET votes = votes + {change} "
            f"WHERE question_id = %s AND id IN ({_marks(moving)})",
            [*added, question.pk, *moving],
        )
        if cursor.rowcount != len(moving):
            # An editor deleted a choice between the form and this transaction. Raising rolls
            # back everything written above, and the voter can simply vote again.
            raise VoteRefused("This poll changed while you were voting. Please vote again.")
        if new_ballot:
            return Receipt(Outcome.CAST, _ordered(choices), [])
        cursor.execute(f"UPDATE {ballot} SET changed_at = %s WHERE id = %s", [queries.moment(now), ballot_id])
    return Receipt(Outcome.CHANGED, _ordered(choices), _ordered(Choice.objects.filter(pk__in=held)))


def _marks(values):
    return ", ".join(["%s"] * len(values))


def _refuse(question, wanted):
    """Say why the question refused the ballot: gone, closed, or too many choices."""
    current = Question.objects.published().filter(pk=question.pk)
    current = current.only("pub_date", "closes_at", "max_choices").first()
    if current is None:
        raise PollGone("This poll is no longer published.")
    if current.is_closed():
        raise PollClosed("This poll is closed; votes are no longer accepted.", current.closes_at)
    if len(wanted) > current.max_choices:
        raise TooManyChoices(f"Pick at most {current.max_choices} choices.")
    # Refused a moment ago, fine now: an editor reopened the poll or raised its limit meanwhile.
    raise VoteRefused("This poll changed while you were voting. Please vote again.")


@contextmanager
def _atomic_telling_lost_commits():
    """
    transaction.atomic(), except that a connection lost during COMMIT raises VoteUnconfirmed.

    A failure anywhere before COMMIT rolls the transaction back, so the error propagates as it is
    and means "nothing was recorded". Only when every row was written and COMMIT was sent, but its
    answer never came, is the outcome unknown until someone looks.
    """
    written = False
    try:
        with transaction.atomic():
            yield
            written = True
    except (OperationalError, InterfaceError) as error:
        if written:
            raise VoteUnconfirmed("The database stopped answering while saving the vote.") from error
        raise


def _ordered(choices):
    return sorted(choices, key=lambda choice: (choice.position, choice.pk))
