"""
Page cost does not grow with the data: the same queries, none scanning the ballots, for 10 polls and
no ballots or for the benchmark's 10,000 polls and 1,000,000 ballots (loaded in bulk, about 30 s).
"""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench import data
from polls import editing
from polls.models import Question

pytestmark = pytest.mark.django_db

SMALL = {"questions": 10, "choices": 3, "ballots": 0}
LARGE = {"questions": 10_000, "choices": 5, "ballots": 1_000_000}
# Tables that grow with every ballot: no page may scan them.
GROWING = ("polls_ballot", "polls_vote")


def load(size):
    data.fill(replace=True, **size)


def page_queries(client):
    """
    Every page as a voter who has voted on the question, the next vote, the voter's receipt and a
    closed poll's ballot list; their SQL, by page.
    """
    question = Question.objects.open().first()
    other = Question.objects.open().exclude(pk=question.pk).first()
    closed = Question.objects.open().exclude(pk__in=[question.pk, other.pk]).last()
    editing.close_now(Question.objects.filter(pk=closed.pk))  # its ballots stay: 75 a poll, when large
    vote_url = reverse("polls:vote", args=[question.pk])
    client.post(vote_url, {"choice": question.choices.first().pk})  # now a voter with a ballot
    page = client.get(reverse("polls:results", args=[question.pk])).content.decode()
    receipt = re.search(r"<code[^>]*data-receipt>([^<]+)</code>", page)[1]
    pages = {
        "list": lambda: client.get(reverse("polls:index")),
        "detail": lambda: client.get(question.get_absolute_url()),
        "results": lambda: client.get(reverse("polls:results", args=[question.pk])),
        "vote": lambda: client.post(
            reverse("polls:vote", args=[other.pk]), {"choice": other.choices.last().pk}
        ),
        "receipt": lambda: client.get(reverse("polls:receipt", args=[question.pk]), {"receipt": receipt}),
        # The whole list is read (streamed) inside the capture: one query, whatever its length.
        "ballot list": lambda: streamed(client.get(reverse("polls:ballots_csv", args=[closed.pk]))),
    }
    captured = {}
    for name, fetch in pages.items():
        cache.clear()  # every fragment rendered afresh: the most a page can cost
        with CaptureQueriesContext(connection) as queries:
            assert fetch().status_code in (200, 302)
        captured[name] = [query["sql"] for query in queries]
    return captured


def streamed(response):
    """The streaming response, read to its end."""
    b"".join(response.streaming_content)
    return response


def test_each_page_makes_the_same_queries_on_10000_polls_and_a_million_ballots_as_on_10_and_none(
    client, postgres
):
    load(SMALL)
    small = page_queries(client)
    client.cookies.clear()
    load(LARGE)
    large = page_queries(client)

    assert {page: len(sql) for page, sql in large.items()} == {page: len(sql) for page, sql in small.items()}
    # The question, this voter's ballot, the choices with their counters: no counting of ballots.
    assert len(small["results"]) <= 3
    # Planned as PostgreSQL plans them on a million ballots (the loader ran ANALYZE): the rows
    # every page reads are found through an index, never by reading the tables that grow.
    explained = set()
    with connection.cursor() as cursor:
        for page, statements in large.items():
            for sql in statements:
                if not sql.startswith(("SELECT", "UPDATE", "INSERT", "DELETE")):
                    continue
                cursor.execute("EXPLAIN " + sql)
                plan = "\n".join(row[0] for row in cursor.fetchall())
                for table in GROWING:
                    assert f"Seq Scan on {table}" not in plan, f"{page}: {sql}\n{plan}"
                explained.add(page)
    assert explained == set(large)


def test_no_index_repeats_the_leading_columns_of_another(postgres):
    # Every index takes an entry of its own for each row written to its table. One whose columns
    # lead another index on the same table (and which enforces nothing) serves no lookup the other
    # cannot.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.relname, i.relname, x.indisunique, x.indkey::int2[]
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE n.nspname = current_schema() AND t.relname LIKE 'polls\\_%'
                AND x.indpred IS NULL AND x.indexprs IS NULL
            """
        )
        indexes = cursor.fetchall()
    redundant = [
        (table, name, other)
        for table, name, unique, columns in indexes
        for other_table, other, _, other_columns in indexes
        if table == other_table and name != other and not unique
        and other_columns[: len(columns)] == columns
    ]  # fmt: skip
    assert redundant == []
