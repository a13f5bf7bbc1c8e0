"""Load the benchmark's large data set in bulk SQL: questions, choices, ballots, votes, counters.

One INSERT ... SELECT over generate_series per table, all inside PostgreSQL, so a million ballots
take seconds instead of the hours one INSERT per row would (SQL by hand, which the app itself
avoids: this is tooling outside it). Counters are then set from the rows in the same transaction,
so Choice.votes equals the Vote rows and Question.voter_count (and revision) the Ballot rows,
exactly as cast_vote() keeps them.

Question 1 is the newest, open, single-choice and shows its results: the one the benchmark drives.
It holds a quarter of the ballots so its pages are measured at their largest.
"""

import time

from django.db import connection, transaction
from django.db.models import Sum

from polls.models import Ballot, Choice, Question, Vote

from . import BenchError

TABLES = [model._meta.db_table for model in (Vote, Ballot, Choice, Question)]


def _sql(statement, **params):
    with connection.cursor() as cursor:
        cursor.execute(statement, params or None)


def load(*, questions, choices, ballots):
    """Replace every poll in the database with the generated data set."""
    question, choice, ballot, vote = (m._meta.db_table for m in (Question, Choice, Ballot, Vote))
    with transaction.atomic():
        # Deferred foreign-key checks of rows written earlier in this transaction (a test's) must
        # run before TRUNCATE, which refuses to empty a table with pending trigger events.
        _sql("SET CONSTRAINTS ALL IMMEDIATE")
        _sql(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY")
        # Newest first by id; every 10th closed an hour after it opened (so most of those are
        # closed now), every 7th allows two picks, every 13th hides results until one votes.
        _sql(
            f"""INSERT INTO {question} (question_text, pub_date, closes_at, max_choices,
                    results_visibility, publish_ballots, voter_count, revision, updated_at)
                SELECT 'Benchmark question ' || g || '?', now() - g * interval '5 minutes',
                    CASE WHEN g %% 10 = 0 THEN now() - g * interval '5 minutes' + interval '1 hour' END,
                    CASE WHEN g %% 7 = 0 THEN 2 ELSE 1 END,
                    CASE WHEN g %% 13 = 0 THEN 'after_vote' ELSE 'always' END, true, 0, 0, now()
                FROM generate_series(1, %(questions)s) g ORDER BY g""",
            questions=questions,
        )
        _sql(
            f"""INSERT INTO {choice} (question_id, choice_text, position, votes)
                SELECT q, 'Choice ' || (p + 1), p, 0
                FROM generate_series(1, %(questions)s) q, generate_series(0, %(per)s - 1) p
                ORDER BY q, p""",
            questions=questions,
            per=choices,
        )
        # A quarter of the ballots on question 1, the rest spread over the others. Their trackers are
        # random hashes of the right shape, made in the INSERT: polls.receipts' HMAC is Python (7.5 µs
        # a ballot) and every row would travel back. No benchmark request asks for their receipts.
        _sql(
            f"""INSERT INTO {ballot} (question_id, voter, cast_at, tracker)
                SELECT CASE WHEN g <= %(ballots)s / 4 THEN 1 ELSE 2 + g %% (%(questions)s - 1) END,
                    gen_random_uuid(), now() - (g %% 86400) * interval '1 second',
                    encode(sha256(uuid_send(gen_random_uuid())), 'hex')
                FROM generate_series(1, %(ballots)s) g""",
            ballots=ballots,
            questions=questions,
        )
        # One vote per ballot, skewed towards the first choices so polls have leaders.
        _sql(
            f"""INSERT INTO {vote} (ballot_id, choice_id)
                WITH pick AS MATERIALIZED (
                    SELECT id, question_id, floor(random() * random() * %(per)s)::int AS position
                    FROM {ballot})
                SELECT pick.id, c.id FROM pick
                JOIN {choice} c ON c.question_id = pick.question_id AND c.position = pick.position""",
            per=choices,
        )
        _sql(
            f"""UPDATE {choice} c SET votes = v.n
                FROM (SELECT choice_id, count(*) n FROM {vote} GROUP BY choice_id) v
                WHERE c.id = v.choice_id"""
        )
        _sql(
            f"""UPDATE {question} q SET voter_count = b.n, revision = b.n
                FROM (SELECT question_id, count(*) n FROM {ballot} GROUP BY question_id) b
                WHERE q.id = b.question_id"""
        )
    # As autovacuum would, but before the first request: VACUUM clears the dead rows the counters'
    # UPDATEs left and marks pages all-visible (index-only scans); ANALYZE gives the planner this
    # data set's statistics. A test runs inside a transaction, where only ANALYZE may run.
    refresh = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
    for table in TABLES:
        _sql(f"{refresh} {table}")


def is_loaded(*, questions, choices, ballots):
    """
    Whether the database holds exactly this data set, counters exact. The ballots a benchmark run
    adds make the next run load it again, so that every run measures the same data.
    """
    ballot_rows = Ballot.objects.count()
    return (
        Question.objects.count() == questions
        and Choice.objects.count() == questions * choices
        and ballot_rows == ballots
        and Question.objects.aggregate(n=Sum("voter_count"))["n"] == ballot_rows
        and Choice.objects.aggregate(n=Sum("votes"))["n"] == Vote.objects.count()
    )


def fill(*, questions=10_000, choices=5, ballots=1_000_000, replace=False):
    """Load the data set unless the database holds exactly it; replace other polls only if told to."""
    if connection.vendor != "postgresql":
        raise BenchError("the benchmark's data set needs PostgreSQL: set DATABASE_URL=postgres://...")
    if questions < 2 or choices < 2 or ballots < 0:
        raise BenchError("Use at least 2 questions and 2 choices each.")
    size = {"questions": questions, "choices": choices, "ballots": ballots}
    if is_loaded(**size):
        print("The benchmark data set is already loaded.")
        return
    if Question.objects.exists() and not replace:
        raise BenchError("This database already has polls; pass replace=True to delete them.")
    started = time.monotonic()
    load(**size)
    print(
        f"Loaded {questions} questions, {questions * choices} choices, {ballots} ballots "
        f"in {time.monotonic() - started:.1f} s."
    )
