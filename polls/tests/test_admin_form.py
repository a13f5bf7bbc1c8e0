"""The question form in the admin: choices inline, every mistake named, votes never lost."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from polls.models import Choice, Question
from polls.voting import cast_vote

from .admin_helpers import (
    ADD_URL,
    change_url,
    errors_of,
    existing,
    question_data,
    voted,
)
from .factories import make_question, make_voter

pytestmark = pytest.mark.django_db


def test_an_editor_creates_a_poll_with_three_choices_that_appears_on_the_site(editor, client):
    choices = [{"choice_text": "Red", "position": 2}, {"choice_text": "Green"}, {"choice_text": "Blue"}]
    data = question_data(choices, question_text="Which colour?")
    data["choices-0-position"], data["choices-1-position"], data["choices-2-position"] = "3", "1", "2"
    response = editor.post(ADD_URL, data)
    assert response.status_code == 302, errors_of(response)
    question = Question.objects.get(question_text="Which colour?")
    assert [c.choice_text for c in question.choices.all()] == ["Green", "Blue", "Red"]
    page = client.get(reverse("polls:index")).text
    assert "Which colour?" in page
    assert client.get(question.get_absolute_url()).status_code == 200


def test_the_form_offers_three_blank_choices_for_a_new_poll(editor):
    formset = editor.get(ADD_URL).context["inline_admin_formsets"][0].formset
    assert formset.total_form_count() == 3


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        ([], "A poll needs at least two choices; this one has 0."),
        ([{"choice_text": "Only"}], "A poll needs at least two choices; this one has 1."),
        (
            [{"choice_text": "Yes"}, {"choice_text": "  yes "}],
            "“Yes” and “yes” are the same choice; keep only one.",
        ),
        ([{"choice_text": "Yes"}, {"choice_text": ""}, {"choice_text": "No"}], None),
    ],
    ids=["no choice", "one choice", "same choice twice", "blank rows are ignored"],
)
def test_a_poll_needs_two_different_choices(editor, choices, message):
    response = editor.post(ADD_URL, question_data(choices))
    if message is None:
        assert response.status_code == 302
        assert Choice.objects.count() == 2
        return
    assert message in errors_of(response)
    assert not Question.objects.exists()


def test_every_mistake_in_the_question_gets_a_message(editor):
    now = timezone.now()
    data = question_data(
        [{"choice_text": "A"}, {"choice_text": "B"}],
        question_text="",
        pub_date=now,
        closes_at=now - datetime.timedelta(hours=1),
        results_visibility="whenever",
    )
    data["max_choices"] = "0"
    errors = errors_of(editor.post(ADD_URL, data))
    assert "This field is required." in errors
    assert "The closing time must come after the publish time." in errors
    assert "Ensure this value is greater than or equal to 1." in errors
    assert "Select a valid choice. whenever is not one of the available choices." in errors
    assert not Question.objects.exists()


def test_a_voter_cannot_be_allowed_more_picks_than_there_are_choices(editor):
    data = question_data([{"choice_text": "A"}, {"choice_text": "B"}], max_choices=3)
    message = (
        "Voters may pick up to 3 choices but the poll offers only 2: "
        "lower “choices a voter may pick” or add choices."
    )
    assert message in errors_of(editor.post(ADD_URL, data))


def test_the_pick_limit_cannot_drop_below_what_ballots_already_hold(editor):
    question = make_question(choices=("A", "B", "C"), max_choices=3)
    assert question.largest_ballot() == 0
    cast_vote(question=question, choices=list(question.choices.all()[:2]), voter=make_voter())
    assert question.largest_ballot() == 2
    message = (
        "Ballots already hold up to 2 choices; a lower limit would make them invalid. "
        "Duplicate the poll to run it with fewer picks."
    )
    assert message in errors_of(editor.post(change_url(question), question_data(existing(question))))
    response = editor.post(change_url(question), question_data(existing(question), max_choices=2))
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.max_choices == 2


def test_a_choice_with_votes_cannot_be_renamed(editor):
    question = make_question(choices=("Yes", "No"))
    voted(question, "Yes", times=2)
    data = question_data(existing(question, Yes={"choice_text": "Absolutely"}))
    message = (
        "“Yes” already has 2 votes: new words would change what those voters chose. "
        "Keep the text, or add a new choice instead."
    )
    assert message in errors_of(editor.post(change_url(question), data))
    assert question.choices.filter(choice_text="Yes").exists()


def test_a_choice_with_votes_cannot_be_deleted(editor):
    question = make_question(choices=("Yes", "No", "Maybe"))
    voted(question, "Maybe")
    data = question_data(existing(question, Maybe={"DELETE": True}))
    message = (
        "“Maybe” cannot be deleted: it holds 1 vote and that ballot would lose it. "
        "Close the poll, or duplicate it to start over."
    )
    assert message in errors_of(editor.post(change_url(question), data))
    assert question.choices.count() == 3


def test_the_vote_rows_block_the_delete_even_when_the_counter_reads_zero(editor):
    # Defence in depth: the admin's own check walks the Vote rows (Vote.choice is RESTRICT), so a
    # counter out of step with them (a vote that arrived as the form loaded) cannot lose a vote.
    question = make_question(choices=("Yes", "No", "Maybe"))
    maybe = voted(question, "Maybe")
    Choice.objects.filter(pk=maybe.pk).update(votes=0)
    data = question_data(existing(question, Maybe={"DELETE": True}))
    message = (
        "Deleting choice Maybe would require deleting the following protected related objects: "
        "vote Maybe on ballot "
    )
    assert any(error.startswith(message) for error in errors_of(editor.post(change_url(question), data)))
    assert question.choices.count() == 3


def test_choices_without_votes_can_be_renamed_deleted_and_any_choice_reordered(editor):
    question = make_question(choices=("Yes", "No", "Maybe"))
    voted(question, "Yes")
    changes = {"Yes": {"position": 9}, "No": {"choice_text": "Nope"}, "Maybe": {"DELETE": True}}
    response = editor.post(change_url(question), question_data(existing(question, **changes)))
    assert response.status_code == 302, errors_of(response)
    assert [(c.choice_text, c.votes) for c in question.choices.all()] == [("Nope", 0), ("Yes", 1)]


def test_a_whole_question_with_its_ballots_can_be_deleted(editor):
    # Vote's RESTRICT guards single choices only; the question takes ballots and votes with it.
    question = make_question()
    voted(question, "Yes", times=2)
    url = reverse("admin:polls_question_delete", args=[question.pk])
    assert "Ballots: 2" in editor.get(url).text
    assert editor.post(url, {"post": "yes"}).status_code == 302
    assert not Question.objects.exists()
    assert not Choice.objects.exists()


def test_counters_are_read_only(editor):
    question = make_question()
    voted(question, "Yes", times=3)
    html = editor.get(change_url(question)).text
    assert not re.search(r'name="(voter_count|revision|choices-\d-votes)"', html)
    assert '<div class="readonly">3</div>' in html  # the ballots, shown, not typed
    data = question_data(existing(question))
    data |= {"voter_count": "999", "choices-0-votes": "999", "choices-1-votes": "999"}
    assert editor.post(change_url(question), data).status_code == 302
    question.refresh_from_db()
    assert question.voter_count == 3
    assert [c.votes for c in question.choices.all()] == [3, 0]


def test_votes_counted_while_the_form_was_open_are_kept_when_it_is_saved(editor):
    question = make_question()
    form_page = editor.get(change_url(question))  # the editor reads the poll: no votes yet
    assert '<div class="readonly">0</div>' in form_page.text
    voted(question, "Yes", times=2)
    voted(question, "No")
    data = question_data(existing(question), question_text="Is this a better question?")
    assert editor.post(change_url(question), data).status_code == 302
    question.refresh_from_db()
    assert (question.question_text, question.voter_count, question.revision) == (
        "Is this a better question?",
        3,
        3,
    )
    assert {c.choice_text: c.votes for c in question.choices.all()} == {"Yes": 2, "No": 1}
