"""Conditional GET: a page a browser already holds is answered 304 until what it shows changes."""

import pytest
from django.test import Client
from django.urls import reverse

from polls import pages
from polls.models import Question

from .factories import make_question

pytestmark = pytest.mark.django_db


@pytest.fixture
def question():
    return make_question(question_text="Cats or dogs?", choices=("Cats", "Dogs"))


def results_url(question):
    return reverse("polls:results", args=[question.pk])


def vote(client, question, text):
    choice = question.choices.get(choice_text=text)
    return client.post(reverse("polls:vote", args=[question.pk]), {"choice": choice.pk})


def revalidate(client, url, etag):
    return client.get(url, headers={"If-None-Match": etag})


@pytest.mark.parametrize("page", ["polls:index", "polls:detail", "polls:results"])
def test_an_unchanged_page_is_answered_304(client, question, page):
    url = reverse(page) if page == "polls:index" else reverse(page, args=[question.pk])
    first = client.get(url)
    assert first.status_code == 200
    assert "private" in first["Cache-Control"]
    assert "no-cache" in first["Cache-Control"]
    again = revalidate(client, url, first["ETag"])
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]
    assert again.content == b""


def test_another_visitors_ballot_changes_the_results_and_the_list(client, question):
    urls = [results_url(question), reverse("polls:index")]
    etags = {url: client.get(url)["ETag"] for url in urls}
    vote(make_other_client(), question, "Dogs")
    for url in urls:
        fresh = revalidate(client, url, etags[url])
        assert fresh.status_code == 200
        assert fresh["ETag"] != etags[url]
    assert "1 voter" in client.get(results_url(question)).text


def test_your_own_ballot_changes_the_page_and_its_confirmation_is_a_page_like_any(client, question):
    before = client.get(results_url(question))["ETag"]
    voted = vote(client, question, "Cats")
    assert voted["Location"] == results_url(question) + "?voted=1"
    assert "messages" not in voted.cookies  # the page says it from the ballot itself
    confirmed = revalidate(client, voted["Location"], before)
    assert confirmed.status_code == 200
    assert "Your vote for “Cats” was counted." in confirmed.text
    assert revalidate(client, voted["Location"], confirmed["ETag"]).status_code == 304
    after = client.get(results_url(question))
    assert after["ETag"] not in (before, confirmed["ETag"])
    assert "Your vote" in after.text
    assert "was counted" not in after.text
    # Another visitor, who has not voted, does not see "Your vote" on their copy, nor a confirmation.
    other = make_other_client().get(voted["Location"]).text
    assert "Your vote" not in other
    assert "was counted" not in other


def test_a_flash_message_is_never_a_304(client, question):
    vote(client, question, "Cats")
    before = client.get(results_url(question))["ETag"]
    vote(client, question, "Dogs")  # a cookie now carries "Your vote was changed"
    with_message = revalidate(client, results_url(question), before)
    assert with_message.status_code == 200
    assert "Your vote was changed from “Cats” to “Dogs”." in with_message.text
    assert not with_message.has_header("ETag")
    assert "was changed" not in client.get(results_url(question)).text  # shown once


def test_an_edited_question_is_never_served_from_an_older_copy(client, question):
    etag = client.get(question.get_absolute_url())["ETag"]
    Question.objects.filter(pk=question.pk).update(question_text="Cats or dogs, really?")
    page = revalidate(client, question.get_absolute_url(), etag)
    assert page.status_code == 200
    assert "Cats or dogs, really?" in page.text


def test_each_visitor_gets_a_form_with_their_own_working_csrf_token(question, csrf_client):
    make_other_client().get(question.get_absolute_url())  # the page is now kept, rendered for another
    page = csrf_client.get(question.get_absolute_url())
    token = page.text.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    choice = question.choices.get(choice_text="Cats")
    answer = csrf_client.post(
        reverse("polls:vote", args=[question.pk]),
        {"choice": choice.pk, "csrfmiddlewaretoken": token},
        headers={"Referer": "https://testserver" + question.get_absolute_url()},  # as browsers send
    )
    assert answer.status_code == 302
    assert Question.objects.get(pk=question.pk).voter_count == 1


def make_other_client():
    return Client(headers={"X-Forwarded-Proto": "https"})


def test_a_worker_keeps_a_bounded_number_of_pages(client, monkeypatch):
    monkeypatch.setattr(pages, "KEPT_PAGES", 2)
    monkeypatch.setattr(pages, "_kept", {})
    for i in range(4):
        question = make_question(question_text=f"Question {i}")
        assert f"Question {i}" in client.get(results_url(question)).text
    assert len(pages._kept) == 2
