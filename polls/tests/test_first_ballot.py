"""cast_first_ballot(): a first ballot checked and counted in one statement, or nothing written at all."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from polls.models import Ballot, Choice, Question, RateCounter, ResultsVisibility, Vote
from polls.ratelimit import Hit
from polls.voting import Outcome, PollClosed, cast_first_ballot, cast_vote

from . import captured
from .factories import make_question, make_voter

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgres(postgres):
    """The function exists on PostgreSQL only; elsewhere every vote takes the general path."""


def first_ballot(question, choices, voter=None, hit=None):
    return cast_first_ballot(
        question_id=question.pk,
        choice_ids={choice.pk for choice in choices},
        voter=voter or make_voter(),
        hit=hit,
    )


def client_hit(limit=2):
    return Hit("vote:203.0.113.7", limit=limit, window=60, now=1_800_000_010)


def counted_hits():
    return list(RateCounter.objects.values_list("key", "started", "hits"))


def written(question):
    question.refresh_from_db()
    return (
        Ballot.objects.filter(question=question).count(),
        Vote.objects.filter(ballot__question=question).count(),
        question.voter_count,
        question.revision,
        sorted(question.choices.values_list("votes", flat=True)),
    )


def test_a_first_vote_is_one_statement_that_answers_what_the_next_page_needs():
    closing = timezone.now() + datetime.timedelta(days=1)
    question = make_question(results_visibility=ResultsVisibility.AFTER_CLOSE, closes_at=closing)
    no = question.choices.get(choice_text="No")
    with CaptureQueriesContext(connection) as statements:
        answered, receipt = first_ballot(question, [no])
    assert [captured.label(s["sql"]) for s in statements] == ["count_first_ballot"]
    assert (answered.pk, answered.closes_at) == (question.pk, closing)
    assert answered.results_visibility == ResultsVisibility.AFTER_CLOSE
    assert not answered.results_visible_to(has_voted=True)
    assert (receipt.outcome, receipt.previous) == (Outcome.CAST, [])
    assert [(c.pk, c.question_id, c.choice_text) for c in receipt.choices] == [(no.pk, question.pk, "No")]
    assert written(question) == (1, 1, 1, 1, [0, 1])


def test_it_writes_a_multiple_choice_ballot_whole_and_names_the_choices_in_their_order():
    question = make_question(choices=("A", "B", "C"), max_choices=3)
    a, _, c = question.choices.order_by("position")
    Choice.objects.filter(pk=a.pk).update(position=9)  # A now comes last
    _, receipt = first_ballot(question, [a, c])
    assert [choice.choice_text for choice in receipt.choices] == ["C", "A"]
    assert written(question) == (1, 2, 1, 1, [0, 1, 1])


def test_it_leaves_a_second_ballot_to_the_general_path():
    question, voter = make_question(), make_voter()
    yes, no = question.choices.all()
    assert first_ballot(question, [yes], voter)
    assert first_ballot(question, [no], voter) is None
    assert written(question) == (1, 1, 1, 1, [0, 1])
    assert cast_vote(question=question, choices=[no], voter=voter).outcome is Outcome.CHANGED


def test_it_counts_nothing_on_a_question_that_does_not_exist():
    question = make_question()
    choice = question.choices.first()
    question.pk += 1000
    assert first_ballot(question, [choice]) is None
    assert Ballot.objects.count() == 0


@pytest.mark.parametrize(
    "refusal",
    [
        "closed",
        "not yet published",
        "a draft",
        "only one choice",
        "too many choices",
        "a choice deleted",
        "another question's choice",
    ],
)
def test_a_refused_ballot_writes_nothing(refusal):
    now = timezone.now()
    question = make_question(choices=("A", "B", "C"))
    choices = list(question.choices.all())[:1]
    match refusal:
        case "closed":
            Question.objects.filter(pk=question.pk).update(closes_at=now - datetime.timedelta(seconds=1))
        case "not yet published":
            Question.objects.filter(pk=question.pk).update(pub_date=now + datetime.timedelta(hours=1))
        case "a draft":
            Question.objects.filter(pk=question.pk).update(pub_date=None)
        case "only one choice":  # not public: it needs two
            Choice.objects.filter(question=question).exclude(pk=choices[0].pk).delete()
        case "too many choices":
            choices = list(question.choices.all())[:2]
        case "a choice deleted":
            Choice.objects.filter(pk=choices[0].pk).delete()
        case "another question's choice":
            choices = list(make_question().choices.all())[:1]
    before = written(question)
    assert first_ballot(question, choices) is None
    assert written(question) == before
    assert Ballot.objects.filter(question=question).count() == 0


def test_cast_vote_tells_why_after_the_function_refused():
    question = make_question()
    Question.objects.filter(pk=question.pk).update(closes_at=timezone.now())
    assert first_ballot(question, [question.choices.first()]) is None
    with pytest.raises(PollClosed):
        cast_vote(question=question, choices=[question.choices.first()], voter=make_voter())
    assert Ballot.objects.count() == 0


def test_the_function_before_it_is_gone_once_no_release_calls_it():
    """Migration 0009 kept 0006's function for the dynos of the release before; 0010 drops it."""
    signature = "(bigint, uuid, bigint[], timestamptz)"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_regprocedure(%s), to_regprocedure(%s)",
            [
                "polls_cast_first_ballot" + signature,
                "polls_count_first_ballot" + signature,
            ],
        )
        old, new = cursor.fetchone()
    assert old is None
    assert new is not None


def test_with_the_rate_limit_the_hit_is_counted_in_the_ballots_own_statement():
    question = make_question()
    choice, hit = question.choices.first(), client_hit()
    with CaptureQueriesContext(connection) as statements:
        assert first_ballot(question, [choice], hit=hit)
    assert [captured.label(s["sql"]) for s in statements] == ["count_limited_first_ballot"]
    assert hit.hits == 1
    assert hit.wait() == 0  # counted already: no second count
    assert counted_hits() == [("vote:203.0.113.7", 1_800_000_000, 1)]
    assert written(question) == (1, 1, 1, 1, [0, 1])


def test_past_the_limit_the_hit_is_counted_and_no_ballot_written():
    question = make_question()
    choice = question.choices.first()
    for _ in range(2):
        assert first_ballot(question, [choice], hit=client_hit())
    refused = client_hit()
    assert first_ballot(question, [choice], hit=refused) is None
    assert refused.hits == 3
    assert refused.wait() == 50  # the window began at 1_800_000_000 and lasts 60 s
    assert counted_hits() == [("vote:203.0.113.7", 1_800_000_000, 3)]
    assert written(question)[:3] == (2, 2, 2)


def test_a_ballot_the_function_refuses_or_leaves_to_the_general_path_still_counts_its_hit():
    question, voter = make_question(), make_voter()
    yes, no = question.choices.all()
    assert first_ballot(question, [yes], voter, hit=client_hit(limit=5))
    second = client_hit(limit=5)
    assert first_ballot(question, [no], voter, hit=second) is None  # a second ballot: general path
    Question.objects.filter(pk=question.pk).update(closes_at=timezone.now())
    closed = client_hit(limit=5)
    assert first_ballot(question, [yes], make_voter(), hit=closed) is None  # refused: closed
    assert (second.hits, closed.hits) == (2, 3)
    assert counted_hits() == [("vote:203.0.113.7", 1_800_000_000, 3)]
    assert written(question)[:3] == (1, 1, 1)
