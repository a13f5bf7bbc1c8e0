"""cast_vote(): one ballot per voter, counters that always match the rows."""

import datetime

import pytest
from django.db import IntegrityError
from django.utils import timezone

from polls import voting
from polls.models import Ballot, Choice, Question, Vote
from polls.voting import Outcome, PollClosed, PollGone, TooManyChoices, VoteRefused, cast_vote

from .factories import make_question, make_voter

pytestmark = pytest.mark.django_db


def counts(question):
    return {choice.choice_text: choice.votes for choice in question.choices.all()}


def assert_counters_match_rows():
    for choice in Choice.objects.all():
        assert choice.votes == Vote.objects.filter(choice=choice).count(), choice
    for question in Question.objects.all():
        assert question.voter_count == Ballot.objects.filter(question=question).count(), question


def test_a_new_voter_casts_one_ballot():
    question = make_question()
    yes = question.choices.get(choice_text="Yes")
    result = cast_vote(question=question, choices=[yes], voter=make_voter())
    assert result.outcome is Outcome.CAST
    assert counts(question) == {"Yes": 1, "No": 0}
    question.refresh_from_db()
    assert question.voter_count == 1
    assert_counters_match_rows()


def test_the_same_pick_twice_changes_nothing():
    question = make_question()
    yes = question.choices.get(choice_text="Yes")
    voter = make_voter()
    cast_vote(question=question, choices=[yes], voter=voter)
    result = cast_vote(question=question, choices=[yes], voter=voter)
    assert result.outcome is Outcome.UNCHANGED
    assert counts(question) == {"Yes": 1, "No": 0}
    assert Ballot.objects.count() == 1
    assert_counters_match_rows()


def test_picking_again_moves_the_ballot_and_its_count():
    question = make_question()
    yes, no = question.choices.all()
    voter = make_voter()
    cast_vote(question=question, choices=[yes], voter=voter)
    result = cast_vote(question=question, choices=[no], voter=voter)
    assert result.outcome is Outcome.CHANGED
    assert result.previous == [yes]
    assert counts(question) == {"Yes": 0, "No": 1}
    assert Ballot.objects.get().changed_at is not None
    assert_counters_match_rows()


def test_a_closed_poll_refuses_votes():
    question = make_question(
        closes_at=timezone.now() - datetime.timedelta(minutes=1),
        pub_date=timezone.now() - datetime.timedelta(days=1),
    )
    with pytest.raises(PollClosed):
        cast_vote(question=question, choices=[question.choices.first()], voter=make_voter())
    assert Ballot.objects.count() == 0


def test_a_choice_of_another_question_is_refused():
    question, other = make_question(), make_question(choices=("A", "B"))
    with pytest.raises(VoteRefused):
        cast_vote(question=question, choices=[other.choices.first()], voter=make_voter())
    assert_counters_match_rows()


def test_multiple_choice_holds_up_to_the_limit_on_one_ballot():
    question = make_question(choices=("A", "B", "C", "D"), max_choices=2)
    a, b, c, _ = question.choices.all()
    voter = make_voter()
    cast_vote(question=question, choices=[a, b], voter=voter)
    with pytest.raises(TooManyChoices):
        cast_vote(question=question, choices=[a, b, c], voter=voter)
    cast_vote(question=question, choices=[b, c], voter=voter)
    assert counts(question) == {"A": 0, "B": 1, "C": 1, "D": 0}
    question.refresh_from_db()
    assert question.voter_count == 1
    assert Ballot.objects.count() == 1
    assert_counters_match_rows()


def test_the_database_refuses_a_second_ballot_for_one_voter():
    question = make_question()
    voter = make_voter()
    Ballot.objects.create(question=question, voter=voter, tracker="a" * 64)
    with pytest.raises(IntegrityError):
        Ballot.objects.create(question=question, voter=voter, tracker="b" * 64)


def test_every_vote_bumps_the_revision():
    question = make_question()
    yes, no = question.choices.all()
    voter = make_voter()
    cast_vote(question=question, choices=[yes], voter=voter)
    cast_vote(question=question, choices=[no], voter=voter)
    question.refresh_from_db()
    assert question.revision == 2


def test_a_choice_deleted_while_voting_refuses_the_vote_and_writes_nothing():
    question = make_question(choices=("A", "B", "C"))
    doomed = question.choices.get(choice_text="C")
    Choice.objects.filter(pk=doomed.pk).delete()
    with pytest.raises(VoteRefused, match="changed while you were voting"):
        cast_vote(question=question, choices=[doomed], voter=make_voter())
    assert Ballot.objects.count() == 0
    assert_counters_match_rows()


def test_a_refusal_that_no_longer_holds_asks_to_vote_again():
    # The poll refused the ballot (closed, or a lower limit), then an editor reopened it or raised
    # the limit before cast_vote() looked why: the voter is asked to vote again, not told "closed".
    question = make_question()
    with pytest.raises(VoteRefused, match="changed while you were voting") as refusal:
        voting._refuse(question, {question.choices.first().pk})
    assert type(refusal.value) is VoteRefused


def test_a_question_deleted_while_voting_refuses_the_vote():
    question = make_question()
    choice = question.choices.first()
    Question.objects.filter(pk=question.pk).delete()
    with pytest.raises(PollGone):
        cast_vote(question=question, choices=[choice], voter=make_voter())
