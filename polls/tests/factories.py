"""Small factories: each builds a valid object and lets a test say only what matters to it."""

import datetime
import uuid

from django.utils import timezone

from polls.models import Choice, Question


def make_question(choices=("Yes", "No"), **kwargs):
    kwargs.setdefault("question_text", "Is this a good question?")
    kwargs.setdefault("pub_date", timezone.now() - datetime.timedelta(hours=1))
    question = Question.objects.create(**kwargs)
    Choice.objects.bulk_create(
        Choice(question=question, choice_text=text, position=position)
        for position, text in enumerate(choices)
    )
    return question


def make_voter():
    return uuid.uuid4()
