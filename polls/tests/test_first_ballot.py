"""polls_cast_first_ballot(): a first ballot in one statement, or nothing written at all."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from polls.models import Ballot, Choice, Question, Vote
from polls.voting import Outcome, PollClosed, cast_vote

from .factories import make_question, make_voter

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgres(postgres):
    """The function exists on PostgreSQL only; elsewhere every vote takes the general path."""


def first_ballot(question, choices, voter, when=None):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT polls_cast_first_ballot(%s, %s, %s::bigint[], %s)",
            [question.pk, voter, [choice.pk for choice in choices], when or timezone.now()],
        )
        return cursor.fetchone()[0]


def written(question):
    question.refresh_from_db()
    return (
        Ballot.objects.filter(question=question).count(),
        Vote.objects.filter(ballot__question=question).count(),
        question.voter_count,
        question.revision,
        sorted(question.choices.values_list("votes", flat=True)),
    )


def test_a_first_vote_is_one_statement():
    question = make_question()
    choice = question.choices.first()
    with CaptureQueriesContext(connection) as statements:
        receipt = cast_vote(question=question, choices=[choice], voter=make_voter())
    assert receipt.outcome is Outcome.CAST
    assert [s["sql"].split("(")[0] for s in statements] == ["SELECT polls_cast_first_ballot"]
    assert written(question) == (1, 1, 1, 1, [0, 1])


def test_it_writes_a_multiple_choice_ballot_whole():
    question = make_question(choices=("A", "B", "C"), max_choices=2)
    assert first_ballot(question, list(question.choices.all())[:2], make_voter())
    assert written(question) == (1, 2, 1, 1, [0, 1, 1])


def test_it_leaves_a_second_ballot_to_the_general_path():
    question, voter = make_question(), make_voter()
    yes, no = question.choices.all()
    assert first_ballot(question, [yes], voter)
    assert not first_ballot(question, [no], voter)
    assert written(question) == (1, 1, 1, 1, [0, 1])
    assert cast_vote(question=question, choices=[no], voter=voter).outcome is Outcome.CHANGED


@pytest.mark.parametrize(
    "refusal",
    ["closed", "not yet published", "too many choices", "a choice deleted", "another question's choice"],
)
def test_a_refused_ballot_writes_nothing(refusal):
    now = timezone.now()
    question = make_question(choices=("A", "B", "C"))
    choices = list(question.choices.all())[:1]
    when = now
    match refusal:
        case "closed":
            Question.objects.filter(pk=question.pk).update(closes_at=now - datetime.timedelta(seconds=1))
        case "not yet published":
            when = question.pub_date - datetime.timedelta(seconds=1)
        case "too many choices":
            choices = list(question.choices.all())[:2]
        case "a choice deleted":
            Choice.objects.filter(pk=choices[0].pk).delete()
        case "another question's choice":
            choices = list(make_question().choices.all())[:1]
    before = written(question)
    assert not first_ballot(question, choices, make_voter(), when)
    assert written(question) == before


def test_cast_vote_tells_why_after_the_function_refused():
    question = make_question()
    Question.objects.filter(pk=question.pk).update(closes_at=timezone.now())
    with pytest.raises(PollClosed):
        cast_vote(question=question, choices=[question.choices.first()], voter=make_voter())
    assert Ballot.objects.count() == 0
