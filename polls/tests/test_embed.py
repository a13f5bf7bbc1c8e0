"""The embeddable poll: framed by any site (and no other page is), voting through a new tab."""

import datetime
from html import unescape

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.csp import build_policy

from polls.models import Question, ResultsVisibility

from .factories import make_browser, make_question

pytestmark = pytest.mark.django_db


@pytest.fixture
def question():
    return make_question(question_text="Cats or dogs?", choices=("Cats", "Dogs", "Both"))


def embed_url(question):
    return reverse("polls:embed", args=[question.pk])


def choice_pk(question, text):
    return question.choices.get(choice_text=text).pk


def checked_labels(html):
    return [text for text in ("Cats", "Dogs", "Both") if _is_checked(html, text)]


def _is_checked(html, text):
    before_label = html.split(f">{text}</label>")[0].rsplit("<input", 1)[1]
    return " checked" in before_label


def test_only_the_embed_may_be_framed_by_other_sites(client, question):
    embed = client.get(embed_url(question))
    assert embed.status_code == 200
    assert "X-Frame-Options" not in embed
    expected = build_policy({**settings.SECURE_CSP, "frame-ancestors": ["*"]})
    assert embed["Content-Security-Policy"] == expected
    assert "script-src 'self'" in expected
    assert "frame-ancestors *" in expected
    for other in (question.get_absolute_url(), reverse("polls:results", args=[question.pk])):
        response = client.get(other)
        assert response["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_the_embed_is_compact_and_votes_through_the_polls_own_page_in_a_new_tab(client, question):
    html = client.get(embed_url(question)).text
    assert 'class="site-header"' not in html
    assert 'class="site-footer"' not in html
    assert f'action="/polls/{question.pk}/" method="get" target="_blank" rel="noopener"' in html
    assert 'name="csrfmiddlewaretoken"' not in html  # nothing to post from a frame
    assert f'href="/polls/{question.pk}/" target="_blank" rel="noopener">Open the full poll' in html
    assert "new tab" in html


def test_the_embed_sets_no_cookie(client, question):
    response = client.get(embed_url(question))
    assert not response.cookies


def test_the_embed_shows_the_results_to_a_voter_and_once_the_poll_closes(client, question):
    client.post(reverse("polls:vote", args=[question.pk]), {"choice": choice_pk(question, "Dogs")})
    voted = client.get(embed_url(question)).text
    assert 'class="tally"' in voted
    assert "Your vote" in voted
    assert "Change your vote" in voted
    Question.objects.filter(pk=question.pk).update(closes_at=timezone.now())
    closed = make_browser().get(embed_url(question)).text
    assert 'class="tally"' in closed
    assert "<form" not in closed


def test_a_voter_whose_results_are_hidden_sees_the_form_with_their_ballot(client, question):
    Question.objects.filter(pk=question.pk).update(results_visibility=ResultsVisibility.AFTER_CLOSE)
    client.post(reverse("polls:vote", args=[question.pk]), {"choice": choice_pk(question, "Both")})
    html = client.get(embed_url(question)).text
    assert 'class="tally"' not in html
    assert checked_labels(html) == ["Both"]
    assert ">Change vote</button>" in html


def test_an_unknown_or_unpublished_poll_has_no_embed(client):
    draft = make_question(pub_date=None)
    scheduled = make_question(pub_date=timezone.now() + datetime.timedelta(hours=1))
    for path in ("/polls/987654/embed/", embed_url(draft), embed_url(scheduled)):
        assert client.get(path).status_code == 404


def test_the_poll_page_checks_the_choice_the_embed_sent_and_says_it_is_not_counted_yet(client, question):
    dogs = choice_pk(question, "Dogs")
    response = client.get(question.get_absolute_url(), {"choice": dogs})
    assert checked_labels(response.text) == ["Dogs"]
    assert "press “Vote” to count it" in response.text
    assert question.ballots.count() == 0
    voted = client.post(reverse("polls:vote", args=[question.pk]), {"choice": dogs})
    assert voted.status_code == 302
    assert question.ballots.count() == 1


def test_the_checked_choice_is_part_of_the_cached_forms_key(client, question):
    """One form fragment per set of checked boxes: each address shows its own."""
    url = question.get_absolute_url()
    assert checked_labels(client.get(url, {"choice": choice_pk(question, "Cats")}).text) == ["Cats"]
    assert checked_labels(client.get(url).text) == []
    assert checked_labels(client.get(url, {"choice": choice_pk(question, "Both")}).text) == ["Both"]


def test_a_voter_from_the_embed_sees_the_new_pick_and_changes_the_ballot_only_by_pressing(client, question):
    client.post(reverse("polls:vote", args=[question.pk]), {"choice": choice_pk(question, "Cats")})
    html = client.get(question.get_absolute_url(), {"choice": choice_pk(question, "Dogs")}).text
    assert checked_labels(html) == ["Dogs"]
    assert "press “Change vote”" in html
    question.refresh_from_db()
    assert question.voter_count == 1
    assert question.choices.get(choice_text="Cats").votes == 1


@pytest.mark.parametrize(
    "values", [["nope"], ["-1"], ["²"], ["99999999999999999999999"], ["1e3"], [""], ["0"]]
)
def test_a_choice_that_is_not_the_polls_is_ignored(client, question, values):
    other = make_question(choices=("Elsewhere", "Too"))
    for given in (values, [str(other.choices.first().pk)]):
        response = client.get(question.get_absolute_url(), {"choice": given})
        assert response.status_code == 200
        assert checked_labels(response.text) == []
        assert "to count it" not in response.text


def test_a_closed_poll_ignores_the_choice(client, question):
    Question.objects.filter(pk=question.pk).update(closes_at=timezone.now())
    response = client.get(question.get_absolute_url(), {"choice": choice_pk(question, "Dogs")})
    assert response.status_code == 200
    assert "to count it" not in response.text


def test_the_share_box_offers_the_embed_code(client, question):
    html = client.get(question.get_absolute_url()).text
    expected = (
        f"&lt;iframe src=&quot;https://testserver/polls/{question.pk}/embed/&quot; "
        "title=&quot;Poll: Cats or dogs?&quot; width=&quot;480&quot; height=&quot;604&quot; "
        "loading=&quot;lazy&quot;&gt;&lt;/iframe&gt;"
    )
    assert expected in html
    assert "Embed this poll on your site" in client.get(reverse("polls:results", args=[question.pk])).text


def test_the_embed_code_keeps_markup_in_a_question_as_text(client):
    question = make_question(question_text='Is "</textarea><b>" <b>bold</b>?')
    html = client.get(question.get_absolute_url()).text
    shown = unescape(html.split('id="embed-code"')[1].split(">", 1)[1].split("</textarea>")[0])
    title = "Is &quot;&lt;/textarea&gt;&lt;b&gt;&quot; &lt;b&gt;bold&lt;/b&gt;?"
    assert f'title="Poll: {title}"' in shown  # what the visitor copies: one HTML element


# The question row; the voter's ballot when they have a cookie; the choices when no fragment is cached.
def test_the_embed_reads_little(client, question, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        client.get(embed_url(question))
    client.post(reverse("polls:vote", args=[question.pk]), {"choice": choice_pk(question, "Dogs")})
    with django_assert_max_num_queries(3):
        client.get(embed_url(question))
    with django_assert_max_num_queries(2):
        client.get(embed_url(question))
