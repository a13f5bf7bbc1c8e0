"""The rules the model layer owns: what the public may see, and where a question is in its life."""

import datetime

import pytest
from django.utils import timezone

from polls.models import Choice, Question, Status

from .factories import make_question

pytestmark = pytest.mark.django_db

NOW = timezone.now()
HOUR = datetime.timedelta(hours=1)


def test_published_needs_two_choices():
    question = make_question(choices=("Only one",))
    assert not Question.objects.published().filter(pk=question.pk).exists()
    Choice.objects.create(question=question, choice_text="A second")
    assert Question.objects.published().filter(pk=question.pk).exists()
    assert Question.objects.open().filter(pk=question.pk).exists()


def test_choices_are_counted_however_they_were_written():
    question = make_question(choices=())
    Choice.objects.bulk_create(Choice(question=question, choice_text=t) for t in ("Yes", "No"))
    maybe = Choice.objects.create(question=question, choice_text="Maybe")
    counted = Question.objects.with_choice_count().get(pk=question.pk)
    assert counted.choice_count == 3
    maybe.delete()
    question.choices.filter(choice_text="No").delete()
    assert Question.objects.with_choice_count().get(pk=question.pk).choice_count == 1
    assert not Question.objects.with_published().get(pk=question.pk).is_published


@pytest.mark.parametrize(
    ("pub_date", "closes_at", "status"),
    [
        (None, None, Status.DRAFT),
        (NOW + HOUR, None, Status.SCHEDULED),
        (NOW - HOUR, None, Status.OPEN),
        (NOW - HOUR, NOW + HOUR, Status.OPEN),
        (NOW - 2 * HOUR, NOW - HOUR, Status.CLOSED),
    ],
)
def test_a_question_in_hand_has_the_status_its_queryset_annotates(pub_date, closes_at, status):
    question = make_question(pub_date=pub_date, closes_at=closes_at)
    assert question.current_status() == status
    assert Question.objects.with_status().get(pk=question.pk).status == status
    assert question.is_open() == (status == Status.OPEN)
    assert question.is_closed() == (status == Status.CLOSED)
    assert Question.objects.open().filter(pk=question.pk).exists() == question.is_open()
    assert Question.objects.closed().filter(pk=question.pk).exists() == question.is_closed()
