"""The tally an open results page polls for: the page's rules, an ETag per count and ballot, few queries."""

import pytest
from django.urls import reverse
from django.utils import timezone

from polls.models import Question, ResultsVisibility

from .factories import make_browser, make_question

pytestmark = pytest.mark.django_db


@pytest.fixture
def question():
    return make_question(question_text="Cats or dogs?", choices=("Cats", "Dogs"))


def tally_url(question):
    return reverse("polls:live_tally", args=[question.pk])


def vote(client, question, text):
    choice = question.choices.get(choice_text=text)
    assert client.post(reverse("polls:vote", args=[question.pk]), {"choice": choice.pk}).status_code == 302


def test_the_tally_is_the_results_pages_table_with_a_summary(client, question):
    for text in ("Dogs", "Dogs", "Cats"):
        vote(make_browser(), question, text)
    response = client.get(tally_url(question))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.text
    assert '<div data-live-status="open">' in html
    assert "<p data-live-summary>3 voters; leading: Dogs.</p>" in html
    assert '<table class="tally">' in html
    page = client.get(reverse("polls:results", args=[question.pk])).text
    table = html[html.index('<table class="tally">') : html.index("</table>")]
    assert table in page  # one rendering of the tally, on the page and in the fragment


def test_a_tie_and_a_closed_poll_are_said(client, question):
    vote(make_browser(), question, "Dogs")
    vote(make_browser(), question, "Cats")
    Question.objects.filter(pk=question.pk).update(closes_at=timezone.now())
    html = client.get(tally_url(question)).text
    assert '<div data-live-status="closed">' in html
    assert "2 voters; tied for first: Cats, Dogs." in html


def test_an_unchanged_tally_is_a_304_until_another_visitor_votes(client, question):
    first = client.get(tally_url(question))
    assert "private" in first["Cache-Control"]
    assert "no-cache" in first["Cache-Control"]
    assert "Cookie" in first["Vary"]
    again = client.get(tally_url(question), headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    vote(make_browser(), question, "Cats")
    changed = client.get(tally_url(question), headers={"If-None-Match": first["ETag"]})
    assert changed.status_code == 200
    assert "1 voter; leading: Cats." in changed.text


def test_the_visitors_own_ballot_changes_the_tally_and_its_etag(client, question):
    other = make_browser()
    vote(other, question, "Cats")
    before = client.get(tally_url(question))
    assert "Your vote" not in before.text
    vote(client, question, "Dogs")
    mine = client.get(tally_url(question), headers={"If-None-Match": before["ETag"]})
    assert mine.status_code == 200
    assert "Your vote" in mine.text
    theirs = other.get(tally_url(question))
    assert theirs["ETag"] != mine["ETag"]  # same counts, another ballot: each keeps their own badge


def test_hidden_results_are_a_403_and_an_unknown_poll_a_404(client, question):
    Question.objects.filter(pk=question.pk).update(results_visibility=ResultsVisibility.AFTER_VOTE)
    assert client.get(tally_url(question)).status_code == 403
    vote(client, question, "Dogs")
    assert client.get(tally_url(question)).status_code == 200
    assert client.get("/polls/987654/results/tally/").status_code == 404


def test_the_results_page_links_its_live_tally_and_script(client, question):
    html = client.get(reverse("polls:results", args=[question.pk])).text
    assert f'data-live-tally="{tally_url(question)}" data-live-status="open"' in html
    assert "/static/polls/live." in html


# The question row and the visitor's ballot (none without a cookie); the choices only on a 200 whose
# fragment is not cached yet. A 304 renders nothing.
def test_polling_reads_the_question_and_the_ballot_only(client, question, django_assert_max_num_queries):
    vote(client, question, "Dogs")
    with django_assert_max_num_queries(3):
        first = client.get(tally_url(question))
    with django_assert_max_num_queries(2):
        assert client.get(tally_url(question), headers={"If-None-Match": first["ETag"]}).status_code == 304
    make_browser().get(tally_url(question))  # renders the tally without a ballot once
    with django_assert_max_num_queries(1):
        assert make_browser().get(tally_url(question)).status_code == 200
