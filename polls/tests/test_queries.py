"""polls.queries returns exactly what the QuerySet vocabulary it stands in for returns."""

import datetime

import pytest
from django.utils import timezone

from polls import queries
from polls.models import Choice, Question, Vote
from polls.voting import cast_vote

from .factories import make_question, make_voter

pytestmark = pytest.mark.django_db


def row(instance):
    """Every stored field, so a column read wrong or converted wrong shows."""
    return tuple(getattr(instance, field.attname) for field in instance._meta.concrete_fields)


@pytest.fixture
def polls_of_every_kind():
    """Drafts, scheduled, open, closing, closed, with too few choices, with and without ballots."""
    now = timezone.now()
    hour = datetime.timedelta(hours=1)
    made = [
        make_question(question_text="draft", pub_date=None),
        make_question(question_text="scheduled", pub_date=now + hour),
        make_question(question_text="one choice", choices=("Alone",)),
        make_question(question_text="no choices", choices=()),
        make_question(question_text="closed", pub_date=now - 3 * hour, closes_at=now - hour),
        make_question(question_text="closing", pub_date=now - 2 * hour, closes_at=now + hour),
        make_question(question_text="same time A", pub_date=now - 5 * hour, max_choices=2),
        make_question(question_text="same time B", pub_date=now - 5 * hour, choices=("X", "Y", "Z")),
    ]
    made += [make_question(question_text=f"open {i}", pub_date=now - i * hour) for i in range(6)]
    return made


@pytest.fixture
def voter(polls_of_every_kind):
    voter = make_voter()
    for question in Question.objects.open()[:3]:
        cast_vote(question=question, choices=[question.choices.last()], voter=voter)
    return voter


@pytest.mark.parametrize("status", ["open", "closed"])
@pytest.mark.parametrize("who", ["no cookie", "a voter", "someone else"])
@pytest.mark.parametrize("rows", [slice(0, 50), slice(0, 3), slice(2, 5), slice(40, 60)])
def test_a_listing_slice_is_the_vocabulary_slice(status, who, rows, voter):
    reader = {"no cookie": None, "a voter": voter, "someone else": make_voter()}[who]
    expected = getattr(Question.objects, status)().with_voted(reader)[rows]
    found = queries.Listing.questions(queries.Listing(status, reader)[rows])
    assert [(row(q), q.voted) for q in found] == [(row(q), q.voted) for q in expected]
    if who == "a voter" and status == "open" and rows == slice(0, 50):
        assert sum(q.voted for q in found) == 3


def test_public_question_is_published_filtered_by_pk(polls_of_every_kind):
    for question in polls_of_every_kind:
        expected = Question.objects.published().filter(pk=question.pk).first()
        found = queries.public_question(question.pk)
        assert (row(found) if found else None) == (row(expected) if expected else None)
    assert queries.public_question(10**12) is None
    assert len([q for q in polls_of_every_kind if queries.public_question(q.pk)]) == 10


def test_public_choices_are_the_choices_in_order(polls_of_every_kind):
    question = polls_of_every_kind[-1]
    Choice.objects.filter(question=question, choice_text="Yes").update(position=7)
    Choice.objects.create(question=question, choice_text="Tied", position=0)
    expected = question.choices.order_by("position", "pk")
    assert [row(c) for c in queries.public_choices(question)] == [row(c) for c in expected]


def test_held_choice_ids_are_the_voters_votes(voter):
    two = Question.objects.get(question_text="same time A")
    cast_vote(question=two, choices=list(two.choices.all()), voter=voter)
    for question in Question.objects.all():
        for reader in (voter, make_voter(), None):
            expected = set(Vote.objects.cast_by(reader, question).values_list("choice_id", flat=True))
            assert queries.held_choice_ids(question, reader) == expected
    assert len(queries.held_choice_ids(two, voter)) == 2


def test_public_poll_is_the_public_question_and_its_choices(polls_of_every_kind):
    for question in polls_of_every_kind:
        found, choices = queries.public_poll(question.pk)
        expected = queries.public_question(question.pk)
        assert (row(found) if found else None) == (row(expected) if expected else None)
        assert [row(c) for c in choices] == ([row(c) for c in queries.public_choices(found)] if found else [])
    assert queries.public_poll(10**12) == (None, [])


def test_an_instance_takes_its_fields_in_the_models_order_or_refuses():
    choice = queries.instance(Choice, [7, 3, "Yes"], ("id", "question_id", "choice_text"))
    assert (choice.pk, choice.question_id, choice.choice_text) == (7, 3, "Yes")
    with pytest.raises(ValueError, match="out of the model's order"):
        queries.instance(Choice, ["Yes", 7], ("choice_text", "id"))
