"""One query-count guard per page: a page's queries must not grow with the data it shows."""

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from polls.voter import COOKIE_NAME

from .factories import make_browser, make_question

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[3, 50], ids=["3 questions", "50 questions"])
def questions(request):
    return [
        make_question(question_text=f"Question {i}", choices=("A", "B", "C")) for i in range(request.param)
    ]


def voted(client, question):
    client.post(reverse("polls:vote", args=[question.pk]), {"choice": question.choices.first().pk})
    assert COOKIE_NAME in client.cookies


def test_list_page(client, questions, django_assert_max_num_queries):
    # One page of questions with "did you vote" as a subquery; no count (polls.paging).
    voted(client, questions[0])
    with django_assert_max_num_queries(2):
        assert client.get(reverse("polls:index")).status_code == 200


def test_closed_list_page(client, questions, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        assert client.get(reverse("polls:closed")).status_code == 200


def test_detail_page(client, questions, django_assert_max_num_queries):
    # The question, its choices, the visitor's own ballot.
    voted(client, questions[-1])
    with django_assert_max_num_queries(3):
        assert client.get(questions[-1].get_absolute_url()).status_code == 200


def test_results_page(client, questions, django_assert_max_num_queries):
    # The question, its choices, the visitor's own ballot: counters, never a count of ballots.
    voted(client, questions[-1])
    with django_assert_max_num_queries(3):
        assert client.get(reverse("polls:results", args=[questions[-1].pk])).status_code == 200


def test_vote(client, questions, django_assert_max_num_queries):
    # On PostgreSQL one statement (polls_count_limited_first_ballot) that counts the rate limit,
    # checks the poll and counts the ballot. On SQLite the rate limit's counter, then the question
    # read with its choices, and the ballot is a transaction (a savepoint inside the test's): ballot,
    # its votes so far, new votes, the two counters, release. The first vote a process sees in a
    # rate-limit window also deletes the earlier windows' counters: another voter's vote comes
    # first, in the same window (the clock stands still).
    question = questions[-1]
    data = {"choice": question.choices.last().pk}
    with time_machine.travel(timezone.now(), tick=False):
        voted(make_browser(), question)
        with django_assert_max_num_queries(1 if connection.vendor == "postgresql" else 10):
            response = client.post(reverse("polls:vote", args=[question.pk]), data)
    assert response.status_code == 302
