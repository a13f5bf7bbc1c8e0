"""
The fragment cache and what browsers may keep: a fragment rendered once is served from the cache
until what it shows changes (or the language it is in), and a page is kept by one visitor only.
"""

import re

import pytest
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


def test_pages_are_private_and_say_what_they_vary_on(client, question):
    for url in (reverse("polls:index"), reverse("polls:closed"), results_url(question)):
        page = client.get(url)
        assert page.status_code == 200
        assert "private" in page["Cache-Control"]
        assert "no-cache" in page["Cache-Control"]
        assert {"Cookie", "Accept-Language"} <= {part.strip() for part in page["Vary"].split(",")}


# Every page carries the language switcher's form, with a CSRF token masked afresh for every answer
# (as Django does against BREACH), so no two answers of a page are the same bytes and none is a 304
# (docs/i18n.md). A response without a form still is.
def test_a_page_is_never_the_same_bytes_twice_but_the_qr_code_is_answered_304(client, question):
    url = results_url(question)
    first = client.get(url)
    assert revalidate(client, url, first["ETag"]).status_code == 200
    qr = reverse("polls:qr", args=[question.pk])
    image = client.get(qr)
    again = revalidate(client, qr, image["ETag"])
    assert again.status_code == 304
    assert again.content == b""


def test_another_visitors_ballot_changes_the_results_and_the_list(client, question):
    client.get(results_url(question)), client.get(reverse("polls:index"))  # their fragments cached
    vote(make_other_client(), question, "Dogs")
    assert "1 voter" in client.get(results_url(question)).text
    assert "1 vote<" in client.get(reverse("polls:index")).text


def test_your_own_ballot_changes_the_page_and_its_confirmation_is_a_page_like_any(client, question):
    client.get(results_url(question))
    voted = vote(client, question, "Cats")
    assert voted["Location"] == results_url(question) + "?voted=1"
    assert "messages" not in voted.cookies  # the page says it from the ballot itself
    confirmed = client.get(voted["Location"])
    assert 'Your vote for “<span dir="auto">Cats</span>” was counted.' in confirmed.text
    after = client.get(results_url(question))
    assert "Your vote" in after.text
    assert "was counted" not in after.text
    # Another visitor, who has not voted, does not see "Your vote" on their copy, nor a confirmation.
    other = make_other_client().get(voted["Location"]).text
    assert "Your vote" not in other
    assert "was counted" not in other


def test_a_flash_message_is_shown_once(client, question):
    vote(client, question, "Cats")
    vote(client, question, "Dogs")  # a cookie now carries "Your vote was changed"
    with_message = client.get(results_url(question))
    assert (
        'Your vote was changed from “<span dir="auto">Cats</span>” to “<span dir="auto">Dogs</span>”.'
        in with_message.text
    )
    assert "was changed" not in client.get(results_url(question)).text


def test_an_edited_question_is_never_served_from_an_older_copy(client, question):
    for url in (question.get_absolute_url(), results_url(question)):
        client.get(url)  # its fragments now cached
    question.question_text = "Cats or dogs, really?"
    question.save()
    question.choices.filter(choice_text="Dogs").update(choice_text="Dogs, of course")
    for url in (question.get_absolute_url(), results_url(question)):
        page = client.get(url)
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
        assert without_csrf_tokens(client.get(url).text) == without_csrf_tokens(first.text)
    vote(make_other_client(), question, "Dogs")
    with django_assert_num_queries(2):
        assert "1 voter" in client.get(url).text


def without_csrf_tokens(html):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def test_a_fragment_cached_in_one_language_is_never_served_in_another(client, question):
    vote(make_other_client(), question, "Dogs")
    url = results_url(question)
    for page_url in (url, question.get_absolute_url(), reverse("polls:index")):
        assert client.get(page_url).status_code == 200  # every fragment now cached, in English
    english = client.get(url).text
    assert "1 voter" in english
    french = client.get(url, headers={"Accept-Language": "fr"}).text
    assert "1 votant" in french
    assert "Partager ce sondage" in french
    assert "1 voter" not in french
    assert "Voter" in client.get(question.get_absolute_url(), headers={"Accept-Language": "fr"}).text
    assert "1 vote<" in client.get(reverse("polls:index")).text
    assert "1 Stimme" in client.get(reverse("polls:index"), headers={"Accept-Language": "de"}).text
