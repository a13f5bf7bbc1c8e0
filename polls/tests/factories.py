"""Small factories: each builds a valid object and lets a test say only what matters to it."""

import datetime
import uuid

from django.test import Client
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


# What a request through Heroku's router carries: the browser's Host, and the scheme it used.
ROUTER_HEADERS = {"Host": "testserver", "X-Forwarded-Proto": "https"}


def make_browser(**kwargs):
    """A test client that reaches the site the way a browser does through Heroku's router."""
    return Client(headers=ROUTER_HEADERS, **kwargs)
