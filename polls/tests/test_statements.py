"""polls.statements: the hot path's SQL prepared once per connection on PostgreSQL, and planned once."""

import pytest
from django.db import OperationalError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from polls import queries
from polls.statements import Statement

from . import captured
from .factories import make_question

pytestmark = pytest.mark.django_db


def test_the_placeholders_are_numbered_for_prepare_and_passed_by_execute():
    statement = Statement("pair", "SELECT %s::int + %s::int, '%%'")
    assert statement.name.startswith("polls_pair_")
    assert statement.prepare_and_execute_sql == (
        f"PREPARE {statement.name} AS SELECT $1::int + $2::int, '%%'; EXECUTE {statement.name}(%s, %s)"
    )
    assert Statement("pair", "SELECT %s::int - %s::int").name != statement.name  # another text


def test_a_statement_without_parameters_is_executed_by_name_alone():
    statement = Statement("one", "SELECT 1")
    assert statement.execute_sql == f"EXECUTE {statement.name}"


def forget_every_statement():
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # as a pooler's DISCARD ALL does
    connection.prepared_statements.clear()


@pytest.fixture
def new_session(postgres):
    """A session that holds no prepared statement; after the test, the process knows what it holds."""
    forget_every_statement()
    yield
    forget_every_statement()


def list_page_queries(client):
    with CaptureQueriesContext(connection) as queries_run:
        assert client.get(reverse("polls:index")).status_code == 200
    return [query["sql"] for query in queries_run]


def kept_plans(label):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name LIKE %s",
            [f"polls\\_{label}\\_%"],
        )
        return cursor.fetchall()


def test_a_page_prepares_its_query_once_per_connection_and_then_runs_it_by_name(client, new_session):
    make_question()
    first, second, third = (list_page_queries(client) for _ in range(3))
    assert first[0].startswith("PREPARE polls_listing_")
    assert "; EXECUTE polls_listing_" in first[0]
    assert [sql.split("(")[0] for sql in second] == [first[0].split("; ")[-1].split("(")[0]]
    assert [captured.label(sql) for sql in third] == ["listing"]
    # One generic plan, made at the first EXECUTE and kept: none re-planned for its parameters.
    assert kept_plans("listing") == [(3, 0)]


def test_the_first_ballots_statement_is_planned_once_too(client, new_session):
    question = make_question()
    choice = question.choices.first()
    for _ in range(3):  # three new voters
        client.cookies.clear()
        client.get(question.get_absolute_url())
        voted = client.post(reverse("polls:vote", args=[question.pk]), {"choice": choice.pk})
        assert voted.status_code == 302
    assert kept_plans("count_limited_first_ballot") == [(3, 0)]
    assert question.choices.get(pk=choice.pk).votes == 3


def test_sessions_plan_once_even_for_parameters_postgresql_would_plan_for(postgres):
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone() == ("force_generic_plan",)


@pytest.mark.django_db(transaction=True)
def test_a_statement_the_session_lost_is_prepared_again(client, new_session):
    make_question()
    list_page_queries(client)
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # as a pooler's DISCARD ALL does
    again = list_page_queries(client)
    # The EXECUTE by name failed (not prepared), then the statement was prepared and executed.
    assert [sql.split(" ")[0] for sql in again] == ["EXECUTE", "PREPARE"]
    assert len(kept_plans("listing")) == 1


@pytest.mark.django_db(transaction=True)
def test_a_statement_the_session_holds_unknown_to_the_process_is_executed_by_name(client, new_session):
    # Through a pooler, another client may have prepared it on this server connection.
    make_question()
    list_page_queries(client)
    connection.prepared_statements.clear()
    again = list_page_queries(client)
    assert [sql.split(" ")[0] for sql in again] == ["PREPARE", "EXECUTE"]
    assert len(kept_plans("listing")) == 1


def test_inside_a_transaction_a_lost_statement_is_an_error_not_a_retry(new_session):
    question = make_question()
    queries.public_question(question.pk)
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    with pytest.raises(OperationalError, match="does not exist"), transaction.atomic():
        queries.public_question(question.pk)
