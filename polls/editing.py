"""
What editors change, beside the form: publish, close and reopen polls at once, and copy one.

Each change of state bumps `revision` because what the public pages show changes with it, and sets
`updated_at` because update() skips auto_now (both key the pages' cached fragments). Each returns
how many questions changed; the others given were already in that state.
"""

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import Choice, Question


def publish_now(questions):
    """Publish the drafts and scheduled questions at once (not one whose closing time is past)."""
    now = timezone.now()
    waiting = questions.filter(Q(pub_date__isnull=True) | Q(pub_date__gt=now)).exclude(closes_at__lte=now)
    return waiting.update(pub_date=now, **_touched(now))


def close_now(questions):
    """Close the open questions at once."""
    now = timezone.now()
    # pub_date strictly before now: the database wants the closing time after the publish time.
    running = questions.filter(Q(closes_at__isnull=True) | Q(closes_at__gt=now), pub_date__lt=now)
    return running.update(closes_at=now, **_touched(now))


def reopen(questions):
    """Open the closed questions again, with no closing time."""
    now = timezone.now()
    return questions.filter(closes_at__lte=now).update(closes_at=None, **_touched(now))


def _touched(now):
    return {"updated_at": now, "revision": F("revision") + 1}


def duplicate(question):
    """
    Copy the question and its choices as a new question without ballots or votes: a draft, with no
    publish or closing time, so nothing goes public before an editor has looked at it.
    """
    with transaction.atomic():
        copy = Question.objects.create(
            question_text=question.question_text,
            pub_date=None,
            closes_at=None,
            max_choices=question.max_choices,
            results_visibility=question.results_visibility,
        )
        Choice.objects.bulk_create(
            Choice(question=copy, choice_text=choice.choice_text, position=choice.position)
            for choice in question.choices.all()
        )
    return copy
