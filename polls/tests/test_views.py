"""The pages through the test client: list, detail, vote, results, as a browser meets them."""

import datetime

import pytest
import time_machine
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from polls import editing, views
from polls.models import Ballot, Question, ResultsVisibility, Vote
from polls.voter import COOKIE_NAME, RENEW_AFTER, read_voter

from .factories import make_browser, make_question

pytestmark = pytest.mark.django_db


def vote_url(question):
    return reverse("polls:vote", args=[question.pk])


def choice_of(question, text):
    return question.choices.get(choice_text=text)


def test_root_sends_you_to_the_poll_list(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("polls:index")


def test_the_list_shows_published_questions_newest_first_with_totals(client):
    now = timezone.now()
    older = make_question(question_text="Older", pub_date=now - datetime.timedelta(days=2))
    newer = make_question(question_text="Newer", pub_date=now - datetime.timedelta(days=1))
    Question.objects.filter(pk=older.pk).update(voter_count=3)
    response = client.get(reverse("polls:index"))
    assert response.status_code == 200
    assert list(response.context["questions"]) == [newer, older]
    assert "3 votes" in response.text


def test_future_and_choiceless_questions_are_hidden_everywhere(client):
    future = make_question(question_text="Future", pub_date=timezone.now() + datetime.timedelta(days=1))
    lonely = make_question(question_text="Lonely", choices=("Only one",))
    listed = client.get(reverse("polls:index")).text
    for question in (future, lonely):
        assert question.question_text not in listed
        for name in ("polls:detail", "polls:results", "polls:qr"):
            assert client.get(reverse(name, args=[question.pk])).status_code == 404
        answer = client.post(vote_url(question), {"choice": question.choices.first().pk})
        assert answer.status_code == 404
    assert Ballot.objects.count() == 0


def test_the_list_is_paginated(client):
    for i in range(25):
        make_question(question_text=f"Question {i}")
    first = client.get(reverse("polls:index"))
    assert len(first.context["questions"]) == 20
    second = client.get(reverse("polls:index"), {"page": 2})
    assert len(second.context["questions"]) == 5
    assert client.get(reverse("polls:index"), {"page": 99}).status_code == 404
    assert client.get(reverse("polls:index"), {"page": "abc"}).status_code == 404


def test_the_detail_page_is_a_fieldset_with_one_labelled_radio_per_choice(client):
    question = make_question(choices=("Red", "Green", "Blue"))
    html = client.get(question.get_absolute_url()).text
    assert "<fieldset" in html
    assert "<legend>" in html
    for choice in question.choices.all():
        assert f'type="radio" name="choice" value="{choice.pk}" id="choice-{choice.pk}"' in html
        assert f'<label for="choice-{choice.pk}" dir="auto">{choice.choice_text}</label>' in html


def test_a_vote_is_counted_once_and_redirects_to_results_with_a_message(client):
    question = make_question()
    yes = choice_of(question, "Yes")
    response = client.post(vote_url(question), {"choice": yes.pk}, follow=True)
    assert response.redirect_chain == [(reverse("polls:results", args=[question.pk]) + "?voted=1", 302)]
    assert 'Your vote for “<span dir="auto">Yes</span>” was counted.' in response.text
    assert COOKIE_NAME in client.cookies
    yes.refresh_from_db()
    assert yes.votes == 1

    again = client.post(vote_url(question), {"choice": yes.pk}, follow=True)
    assert 'You already voted for “<span dir="auto">Yes</span>”' in again.text
    yes.refresh_from_db()
    assert yes.votes == 1
    assert Ballot.objects.count() == 1


def test_the_confirmation_is_read_from_the_ballot_not_from_the_address(client):
    question = make_question(choices=("<b>Yes</b>", "No"))
    voted = client.post(vote_url(question), {"choice": choice_of(question, "<b>Yes</b>").pk})
    assert (
        'Your vote for “<span dir="auto">&lt;b&gt;Yes&lt;/b&gt;</span>” was counted.'
        in client.get(voted["Location"]).text
    )
    # The same address in a browser that holds no ballot, or with another value, confirms nothing.
    assert "was counted" not in make_browser().get(voted["Location"]).text
    for query in ("?voted=", "?voted=yes", "?voted=1&voted=2", "?voted"):
        page = client.get(reverse("polls:results", args=[question.pk]) + query)
        assert page.status_code == 200, query
        assert "was counted" not in page.text, query


def test_the_detail_page_shows_the_choice_already_made_and_offers_a_change(client):
    question = make_question()
    yes = choice_of(question, "Yes")
    client.post(vote_url(question), {"choice": yes.pk})
    html = client.get(question.get_absolute_url()).text
    assert f'value="{yes.pk}" id="choice-{yes.pk}" checked' in html
    assert 'You voted for <strong dir="auto">Yes</strong>' in html
    assert "Change vote" in html


def test_changing_a_vote_moves_the_count(client):
    question = make_question()
    yes, no = choice_of(question, "Yes"), choice_of(question, "No")
    client.post(vote_url(question), {"choice": yes.pk})
    response = client.post(vote_url(question), {"choice": no.pk}, follow=True)
    assert (
        'Your vote was changed from “<span dir="auto">Yes</span>” to “<span dir="auto">No</span>”.'
        in response.text
    )
    yes.refresh_from_db()
    no.refresh_from_db()
    assert (yes.votes, no.votes) == (0, 1)


def test_a_tampered_voter_cookie_is_replaced_not_trusted(client):
    question = make_question()
    client.cookies[COOKIE_NAME] = "00000000-0000-0000-0000-000000000000:forged"
    response = client.post(vote_url(question), {"choice": choice_of(question, "Yes").pk})
    assert response.status_code == 302
    assert response.cookies[COOKIE_NAME].value != "00000000-0000-0000-0000-000000000000:forged"
    assert Ballot.objects.get().voter.int != 0


def test_the_voter_cookie_is_signed_httponly_and_lax(client):
    question = make_question()
    response = client.post(vote_url(question), {"choice": choice_of(question, "Yes").pk})
    cookie = response.cookies[COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert cookie["secure"]
    assert ":" in cookie.value  # value:signature


def test_a_vote_keeps_the_voter_cookie_the_poll_page_gave_lately(client):
    question = make_question()
    client.get(question.get_absolute_url())
    given = client.cookies[COOKIE_NAME].value
    response = client.post(vote_url(question), {"choice": choice_of(question, "Yes").pk})
    assert response.status_code == 302
    assert COOKIE_NAME not in response.cookies  # nothing to renew: the browser holds it
    assert client.cookies[COOKIE_NAME].value == given
    assert Ballot.objects.get().voter == _voter_of(given)


def test_a_vote_renews_a_voter_cookie_issued_long_ago_for_the_same_voter(client):
    question = make_question()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.get(question.get_absolute_url())
        given = client.cookies[COOKIE_NAME].value
        traveller.shift(datetime.timedelta(seconds=RENEW_AFTER + 60))
        response = client.post(vote_url(question), {"choice": choice_of(question, "Yes").pk})
    assert response.status_code == 302
    renewed = response.cookies[COOKIE_NAME].value
    assert renewed != given
    assert _voter_of(renewed) == _voter_of(given) == Ballot.objects.get().voter


def _voter_of(cookie):
    request = RequestFactory().get("/")
    request.COOKIES[COOKIE_NAME] = cookie
    return read_voter(request)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Pick a choice before voting."),
        ({"choice": "abc"}, "That choice is not part of this poll."),
        ({"choice": "99999999999999999999999999"}, "That choice is not part of this poll."),
        ({"choice": "-1"}, "That choice is not part of this poll."),
        ({"choice": ""}, "Pick a choice before voting."),
    ],
)
def test_bad_votes_get_400_with_the_form_and_a_message(client, data, message):
    question = make_question()
    response = client.post(vote_url(question), data)
    assert response.status_code == 400
    assert message in response.text
    assert "<fieldset" in response.text
    assert Ballot.objects.count() == 0


def test_a_choice_of_another_question_gets_400(client):
    question, other = make_question(), make_question(choices=("A", "B"))
    response = client.post(vote_url(question), {"choice": other.choices.first().pk})
    assert response.status_code == 400
    assert Ballot.objects.count() == 0


def test_an_oversized_body_gets_413(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    question = make_question()
    response = client.post(vote_url(question), {"choice": "1" * 5000})
    assert response.status_code == 413
    assert Ballot.objects.count() == 0


def test_a_get_on_the_vote_url_is_405_with_a_page(client):
    question = make_question()
    response = client.get(vote_url(question))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert "does not accept that kind of request" in response.text


def test_a_vote_without_csrf_token_gets_a_friendly_403(csrf_client):
    question = make_question()
    response = csrf_client.post(vote_url(question), {"choice": choice_of(question, "Yes").pk})
    assert response.status_code == 403
    assert "Your vote was <strong>not</strong> counted." in response.text
    assert Ballot.objects.count() == 0


def test_an_unknown_question_is_a_404_page(client):
    response = client.get("/polls/424242/")
    assert response.status_code == 404
    assert "There is no such page" in response.text
    assert client.get("/polls/99999999999999999999999/").status_code == 404


def changing_after_the_read(monkeypatch, change):
    """Make `change` happen to the poll right after the vote view has read it, as an editor could."""
    read = views._poll

    def read_then_change(pk):
        poll = read(pk)
        change(Question.objects.filter(pk=pk))
        return poll

    monkeypatch.setattr(views, "_poll", read_then_change)


def changing_a_vote(client, question):
    """Give the client's voter a ballot for "No": a refused vote must leave it as it was."""
    assert client.post(vote_url(question), {"choice": choice_of(question, "No").pk}).status_code == 302


def marked():
    return list(Vote.objects.values_list("choice__choice_text", flat=True))


def test_a_poll_closed_while_the_vote_was_on_its_way_says_when_it_closed(client, monkeypatch):
    question = make_question()
    changing_a_vote(client, question)
    changing_after_the_read(monkeypatch, editing.close_now)
    response = client.post(vote_url(question), {"choice": choice_of(question, "Yes").pk})
    assert response.status_code == 403
    assert "This poll is closed" in response.text
    assert "closed on <time datetime=" in response.text
    assert marked() == ["No"]


@pytest.mark.parametrize(
    ("change", "left"),
    [(lambda poll: poll.delete(), []), (lambda poll: poll.update(pub_date=None), ["No"])],
    ids=["deleted", "unpublished"],
)
def test_a_poll_gone_while_the_vote_was_on_its_way_is_a_404_page(client, monkeypatch, change, left):
    question = make_question()
    changing_a_vote(client, question)
    yes = choice_of(question, "Yes")
    changing_after_the_read(monkeypatch, change)
    response = client.post(vote_url(question), {"choice": yes.pk})
    assert response.status_code == 404
    assert "There is no such page" in response.text
    assert marked() == left


def test_the_results_page_shows_counts_and_percentages(client):
    question = make_question(choices=("A", "B", "C"))
    for text in ("A", "A", "B"):
        browser = make_browser()
        browser.post(vote_url(question), {"choice": choice_of(question, text).pk})
    html = client.get(reverse("polls:results", args=[question.pk])).text
    assert "3 voters" in html
    assert "67%" in html
    assert "33%" in html
    assert "0%" in html


def test_results_with_no_votes_say_so(client):
    question = make_question()
    html = client.get(reverse("polls:results", args=[question.pk])).text
    assert "No votes yet." in html
    assert "bar-fill" not in html


def test_results_hidden_until_voting_do_not_leak(client):
    question = make_question(results_visibility=ResultsVisibility.AFTER_VOTE)
    Question.objects.filter(pk=question.pk).update(voter_count=7)
    assert "7 votes" not in client.get(reverse("polls:index")).text
    hidden = client.get(reverse("polls:results", args=[question.pk]))
    assert hidden.status_code == 403
    assert "until you have voted" in hidden.text
    client.post(vote_url(question), {"choice": choice_of(question, "Yes").pk})
    assert client.get(reverse("polls:results", args=[question.pk])).status_code == 200
