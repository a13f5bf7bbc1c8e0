"""
Conditional GET and the fragment cache: a page a browser already holds is answered 304 until what
it shows changes, and a fragment rendered once is served from the cache until what it shows changes.
"""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

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


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


# Not the poll's page: its form carries a CSRF token masked afresh for every answer (as Django
# does against BREACH), so no two answers are the same bytes.
@pytest.mark.parametrize("page", ["polls:index", "polls:closed", "polls:results"])
def test_an_unchanged_page_is_answered_304(client, question, page):
    url = reverse(page) if page != "polls:results" else reverse(page, args=[question.pk])
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
    after = revalidate(client, results_url(question), with_message["ETag"])
    assert after.status_code == 200  # the same page, but without the message: other bytes
    assert "was changed" not in after.text  # shown once


def test_an_edited_question_is_never_served_from_an_older_copy(client, question):
    for url in (question.get_absolute_url(), results_url(question)):
        client.get(url)  # its fragments now cached
    etag = client.get(results_url(question))["ETag"]
    question.question_text = "Cats or dogs, really?"
    question.save()
    question.choices.filter(choice_text="Dogs").update(choice_text="Dogs, of course")
    for url in (question.get_absolute_url(), results_url(question)):
        page = revalidate(client, url, etag)
        assert page.status_code == 200
        assert page.text.count("Cats or dogs, really?") >= 2  # the title, the heading, the preview
        assert "Dogs, of course" in page.text


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


def test_a_second_visit_takes_the_tally_from_the_cache_until_a_vote_changes_it(
    client, question, django_assert_num_queries
):
    url = results_url(question)
    with django_assert_num_queries(2):  # the question, then its choices for the tally
        first = client.get(url)
    with django_assert_num_queries(1):  # the question: its revision says the tally is the same
        assert client.get(url).text == first.text
    vote(make_other_client(), question, "Dogs")
    with django_assert_num_queries(2):
        assert "1 voter" in client.get(url).text
