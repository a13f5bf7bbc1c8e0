"""One query-count guard per page: a page's queries must not grow with the data it shows."""

import pytest
from django.core.cache import cache
from django.urls import reverse

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
    with django_assert_max_num_queries(1):
        assert client.get(reverse("polls:index")).status_code == 200


def test_closed_list_page(client, questions, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        assert client.get(reverse("polls:closed")).status_code == 200


def test_detail_page(client, questions, django_assert_max_num_queries):
    # The question, the visitor's own ballot, its choices (unless its fragments are cached).
    voted(client, questions[-1])
    cache.clear()
    with django_assert_max_num_queries(3):
        assert client.get(questions[-1].get_absolute_url()).status_code == 200


def test_results_page(client, questions, django_assert_max_num_queries):
    # The question, the visitor's own ballot, its choices with their counters: never a count of ballots.
    voted(client, questions[-1])
    cache.clear()
    with django_assert_max_num_queries(3):
        assert client.get(reverse("polls:results", args=[questions[-1].pk])).status_code == 200


def test_vote(client, questions, django_assert_max_num_queries):
    # The rate limit's counter; the question, its choices; then the ballot's transaction (a
    # savepoint inside the test's): the ballot, the choices it holds, its new votes, the two
    # counters, and the savepoint's release. The same on every database.
    question = questions[-1]
    url, form = reverse("polls:vote", args=[question.pk]), {"choice": question.choices.last().pk}
    voted(make_browser(), question)
    with django_assert_max_num_queries(10):
        response = client.post(url, form)
    assert response.status_code == 302
