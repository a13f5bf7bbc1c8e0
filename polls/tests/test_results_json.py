"""GET /polls/<id>/results.json: the page's numbers and rules, an ETag, readable from any site, no cookie."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from polls.models import Question, ResultsVisibility

from .factories import make_browser, make_question

pytestmark = pytest.mark.django_db


@pytest.fixture
def question():
    return make_question(question_text="Tea or coffee?", choices=("Tea", "Coffee", "Water"))


def json_url(question_or_pk):
    return reverse("polls:results_json", args=[getattr(question_or_pk, "pk", question_or_pk)])


def vote(client, question, *texts):
    picked = [question.choices.get(choice_text=text).pk for text in texts]
    response = client.post(reverse("polls:vote", args=[question.pk]), {"choice": picked})
    assert response.status_code == 302
    return response


def assert_public_api_answer(response):
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    assert "Set-Cookie" not in response
    assert not response.cookies


def test_the_json_says_what_the_database_holds(client, question):
    for text in ("Tea", "Tea", "Coffee"):
        vote(make_browser(), question, text)
    response = client.get(json_url(question))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    question.refresh_from_db()
    assert list(body) == [
        "id", "question", "url", "status", "published_at", "closes_at", "max_choices", "voters", "choices",
        "ballots_csv",
    ]  # fmt: skip
    assert body["id"] == question.pk
    assert body["question"] == "Tea or coffee?"
    assert body["url"] == f"https://testserver/polls/{question.pk}/"
    assert body["status"] == "open"
    assert datetime.datetime.fromisoformat(body["published_at"]) == question.pub_date
    assert body["closes_at"] is None
    assert body["max_choices"] == 1
    assert body["voters"] == question.voter_count == 3
    in_database = [{"id": c.pk, "text": c.choice_text, "votes": c.votes} for c in question.choices.all()]
    assert [{key: row[key] for key in ("id", "text", "votes")} for row in body["choices"]] == in_database
    assert [row["percent"] for row in body["choices"]] == [67, 33, 0]
    assert body["ballots_csv"] is None  # published once the poll closes
    assert_public_api_answer(response)


def test_percentages_are_whole_and_sum_to_100_and_a_closed_poll_says_when(client):
    closes = timezone.now() + datetime.timedelta(days=1)
    question = make_question(choices=("A", "B", "C"), closes_at=closes)
    for text in ("A", "B", "C"):
        vote(make_browser(), question, text)
    Question.objects.filter(pk=question.pk).update(closes_at=timezone.now() - datetime.timedelta(minutes=1))
    body = client.get(json_url(question)).json()
    assert [row["percent"] for row in body["choices"]] == [34, 33, 33]
    assert body["status"] == "closed"
    assert datetime.datetime.fromisoformat(body["closes_at"]) < timezone.now()


def test_an_unchanged_answer_is_a_304_until_a_vote_changes_the_counts(client, question):
    first = client.get(json_url(question))
    again = client.get(json_url(question), headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert_public_api_answer(again)
    vote(make_browser(), question, "Water")
    changed = client.get(json_url(question), headers={"If-None-Match": first["ETag"]})
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]
    assert changed.json()["choices"][2]["votes"] == 1


def test_an_edit_in_the_admin_changes_the_etag(client, question):
    first = client.get(json_url(question))
    question.question_text = "Tea, coffee or water?"
    question.save()
    changed = client.get(json_url(question), headers={"If-None-Match": first["ETag"]})
    assert changed.status_code == 200
    assert changed.json()["question"] == "Tea, coffee or water?"


def test_an_unknown_or_unpublished_poll_is_a_404_in_json(client, question):
    draft = make_question(pub_date=None)
    scheduled = make_question(pub_date=timezone.now() + datetime.timedelta(days=1))
    for pk in (987654, draft.pk, scheduled.pk):
        response = client.get(json_url(pk))
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json()["error"]
        assert_public_api_answer(response)


def test_results_hidden_until_the_vote_are_a_403_then_shown_to_that_voter(client, question):
    Question.objects.filter(pk=question.pk).update(results_visibility=ResultsVisibility.AFTER_VOTE)
    hidden = client.get(json_url(question))
    assert hidden.status_code == 403
    assert "voted" in hidden.json()["error"]
    assert_public_api_answer(hidden)
    vote(client, question, "Tea")  # the voter cookie comes along from this site only
    shown = client.get(json_url(question))
    assert shown.status_code == 200
    assert shown.json()["voters"] == 1
    assert "Cookie" in shown["Vary"]


def test_results_hidden_until_the_poll_closes_are_a_403(client, question):
    Question.objects.filter(pk=question.pk).update(results_visibility=ResultsVisibility.AFTER_CLOSE)
    vote(client, question, "Tea")
    response = client.get(json_url(question))
    assert response.status_code == 403
    assert response.json() == {"error": "This poll shows its results once it closes."}


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_only_get_and_head_are_answered(csrf_client, question, method):
    response = getattr(csrf_client, method)(json_url(question))
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response.json()["error"]
    assert_public_api_answer(response)


def test_head_answers_like_get_without_a_body(client, question):
    response = client.head(json_url(question))
    assert response.status_code == 200
    assert response["ETag"]
    assert_public_api_answer(response)


def test_a_visitor_with_cookies_still_gets_none_back(client, question):
    vote(client, question, "Coffee")
    client.get(question.get_absolute_url())  # the CSRF cookie, and a voter cookie, in the jar
    assert_public_api_answer(client.get(json_url(question)))


# The question row; its choices only when the JSON is not in the cache; a ballot only when the rule
# needs one. A 304 reads the question alone.
def test_queries_are_few_and_a_304_reads_the_question_alone(client, question, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        first = client.get(json_url(question))
    with django_assert_max_num_queries(1):
        assert client.get(json_url(question)).status_code == 200
    with django_assert_max_num_queries(1):
        assert client.get(json_url(question), headers={"If-None-Match": first["ETag"]}).status_code == 304
