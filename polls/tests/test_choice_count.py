"""Question.choice_count, kept by database triggers, and counters no stale save() can undo."""

import pytest
from django.db import connection

from polls.models import Choice, Question
from polls.voting import cast_vote

from .factories import make_question, make_voter

pytestmark = pytest.mark.django_db


def choice_count(question):
    return Question.objects.values_list("choice_count", flat=True).get(pk=question.pk)


def test_every_way_of_writing_choices_moves_the_count():
    question = make_question(choices=())  # the factory's bulk_create: one INSERT for every row
    assert choice_count(question) == 0
    Choice.objects.bulk_create(Choice(question=question, choice_text=t) for t in ("Yes", "No"))
    assert choice_count(question) == 2
    maybe = Choice.objects.create(question=question, choice_text="Maybe")
    assert choice_count(question) == 3
    maybe.delete()
    assert choice_count(question) == 2
    question.choices.all().delete()
    assert choice_count(question) == 0


def test_moving_a_choice_to_another_question_moves_it_in_both_counts():
    first, second = make_question(choices=("A", "B", "C")), make_question(choices=("D", "E"))
    moved = first.choices.get(choice_text="C")
    moved.question = second
    moved.save()
    assert (choice_count(first), choice_count(second)) == (2, 3)
    Choice.objects.filter(pk=moved.pk).update(question=first)
    assert (choice_count(first), choice_count(second)) == (3, 2)


def test_saving_a_choice_in_place_or_counting_a_vote_leaves_the_count_alone():
    question = make_question()
    yes = question.choices.get(choice_text="Yes")
    yes.position = 5
    yes.save()  # writes question_id, unchanged
    cast_vote(question=question, choices=[yes], voter=make_voter())
    assert choice_count(question) == 2


def test_published_needs_two_choices_by_the_count():
    question = make_question(choices=("Only one",))
    assert not Question.objects.published().filter(pk=question.pk).exists()
    Choice.objects.create(question=question, choice_text="A second")
    assert Question.objects.published().filter(pk=question.pk).exists()


def test_the_triggers_exist_after_every_migration():
    # SQLite drops a table's triggers when a migration rebuilds the table: this says so.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = 'polls_choice'::regclass")
            expected = {"polls_choice_count_insert_delete", "polls_choice_count_move"}
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE tbl_name = 'polls_choice'")
            expected = {"polls_choice_count_insert", "polls_choice_count_delete", "polls_choice_count_move"}
        assert expected <= {name for (name,) in cursor.fetchall()}


def test_a_question_saved_from_a_stale_copy_keeps_the_votes_counted_since():
    question = make_question()
    stale = Question.objects.get(pk=question.pk)
    cast_vote(question=question, choices=[question.choices.first()], voter=make_voter())
    stale.question_text = "Edited while people voted?"
    stale.save()
    fresh = Question.objects.get(pk=question.pk)
    assert (fresh.question_text, fresh.voter_count, fresh.revision, fresh.choice_count) == (
        "Edited while people voted?",
        1,
        1,
        2,
    )


def test_a_choice_saved_from_a_stale_copy_keeps_its_votes():
    question = make_question()
    stale = question.choices.get(choice_text="Yes")
    cast_vote(question=question, choices=[stale], voter=make_voter())
    stale.position = 9
    stale.save()
    fresh = Choice.objects.get(pk=stale.pk)
    assert (fresh.position, fresh.votes) == (9, 1)


def test_a_deferred_field_is_not_written_back_either():
    question = make_question()
    Question.objects.only("question_text").get(pk=question.pk).save()
    assert Question.objects.get(pk=question.pk).pub_date == question.pub_date
