"""Results visibility chosen per question: when hidden, nothing leaks anywhere."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from polls.models import ResultsVisibility

from .factories import make_browser, make_question

pytestmark = pytest.mark.django_db


def vote(client, question, text):
    choice = question.choices.get(choice_text=text)
    return client.post(reverse("polls:vote", args=[question.pk]), {"choice": choice.pk})


def cast_votes(question, *texts):
    for text in texts:
        vote(make_browser(), question, text)


def results_url(question):
    return reverse("polls:results", args=[question.pk])


def assert_nothing_leaks(client, question):
    listed = client.get(reverse("polls:index")).text
    assert "3 votes" not in listed
    assert "Results hidden" in listed
    hidden = client.get(results_url(question))
    assert hidden.status_code == 403
    assert "<table" not in hidden.text
    assert "Yes" not in hidden.text.split("<title>")[1].split("</title>")[0]
    detail = client.get(question.get_absolute_url()).text
    assert "See results" not in detail
    assert "67%" not in detail + hidden.text


def test_always_visible_results_show_to_everyone(client):
    question = make_question(results_visibility=ResultsVisibility.ALWAYS)
    cast_votes(question, "Yes", "Yes", "No")
    assert "3 votes" in client.get(reverse("polls:index")).text
    assert client.get(results_url(question)).status_code == 200


def test_results_after_voting_stay_hidden_until_you_vote(client):
    question = make_question(results_visibility=ResultsVisibility.AFTER_VOTE)
    cast_votes(question, "Yes", "Yes", "No")
    assert_nothing_leaks(client, question)
    assert "until you have voted" in client.get(results_url(question)).text

    response = vote(client, question, "No")
    assert response["Location"] == results_url(question) + "?voted=1"
    html = client.get(results_url(question)).text
    assert "4 voters" in html
    assert "4 votes" in client.get(reverse("polls:index")).text


def test_results_after_closing_stay_hidden_even_from_voters(client):
    question = make_question(
        results_visibility=ResultsVisibility.AFTER_CLOSE,
        closes_at=timezone.now() + datetime.timedelta(days=1),
    )
    cast_votes(question, "Yes", "Yes", "No")
    assert_nothing_leaks(client, question)
    response = vote(client, question, "Yes")
    # Redirected to the poll, not to results it may not see yet; the poll confirms the vote.
    assert response["Location"] == question.get_absolute_url() + "?voted=1"
    assert 'Your vote for “<span dir="auto">Yes</span>” was counted.' in client.get(response["Location"]).text
    assert client.get(results_url(question)).status_code == 403
    assert "until it closes on" in client.get(results_url(question)).text


def test_results_after_closing_show_once_closed(client):
    question = make_question(
        results_visibility=ResultsVisibility.AFTER_CLOSE,
        closes_at=timezone.now() + datetime.timedelta(days=1),
    )
    cast_votes(question, "Yes", "Yes", "No")
    question.closes_at = timezone.now() - datetime.timedelta(seconds=1)
    question.save()
    assert client.get(results_url(question)).status_code == 200
    assert "67%" in client.get(question.get_absolute_url()).text
