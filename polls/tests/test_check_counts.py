"""check_counts: counters against their rows, reported and repaired."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from polls.counts import mismatches
from polls.models import Choice, Question
from polls.voting import cast_vote

from .factories import make_question, make_voter

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("check_counts", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def voted_question():
    """A question with Yes 2, No 1, as cast_vote leaves it."""
    question = make_question()
    yes, no = question.choices.all()
    for choice in (yes, yes, no):
        cast_vote(question=question, choices=[choice], voter=make_voter())
    return question, yes, no


def test_counts_written_by_cast_vote_match():
    voted_question()
    out, _ = run()
    assert "All counts match: 1 questions, 2 choices." in out


def test_a_drifted_counter_is_reported_with_a_nonzero_exit_and_left_alone():
    question, yes, _ = voted_question()
    Choice.objects.filter(pk=yes.pk).update(votes=5)
    Question.objects.filter(pk=question.pk).update(voter_count=1)
    with pytest.raises(CommandError, match="2 counter") as refusal:
        run()
    assert refusal.value.returncode == 1
    yes.refresh_from_db()
    assert yes.votes == 5
    assert [(m.counter, m.rows) for m in mismatches()] == [(1, 3), (5, 2)]


def test_repair_sets_each_counter_to_its_rows_and_says_what_it_fixed():
    question, yes, no = voted_question()
    Choice.objects.filter(pk=yes.pk).update(votes=5)
    Choice.objects.filter(pk=no.pk).update(votes=0)
    Question.objects.filter(pk=question.pk).update(voter_count=7)
    untouched, *_ = voted_question()
    out, _ = run("--repair")
    assert f"Fixed question {question.pk} “{question}” ballots: counter says 7, rows say 3; now 3." in out
    assert f"Fixed choice {yes.pk} “Yes” of question {question.pk} votes: counter says 5" in out
    assert f"Fixed choice {no.pk} “No” of question {question.pk} votes: counter says 0" in out
    assert "Repaired 3 counter(s)." in out
    assert {c.pk: c.votes for c in Choice.objects.filter(question=question)} == {yes.pk: 2, no.pk: 1}
    assert Question.objects.get(pk=question.pk).voter_count == 3
    assert Question.objects.get(pk=untouched.pk).voter_count == 3
    assert mismatches() == []
    assert "All counts match" in run()[0]


def test_repair_zeroes_a_counter_with_no_rows_behind_it():
    question = make_question()
    Choice.objects.filter(question=question).update(votes=4)
    Question.objects.filter(pk=question.pk).update(voter_count=4)
    run("--repair")
    assert list(Choice.objects.values_list("votes", flat=True)) == [0, 0]
    assert Question.objects.get().voter_count == 0


def test_repair_with_nothing_to_fix_changes_nothing():
    voted_question()
    out, _ = run("--repair")
    assert "Repaired 0 counter(s)." in out
    assert mismatches() == []
