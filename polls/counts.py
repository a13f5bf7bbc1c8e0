"""The counters against the rows they count: Choice.votes vs Vote rows, voter_count vs Ballot rows.

voting.cast_vote() keeps them equal in every transaction; this module proves it, and puts them
right if something else (a hand-edited row, a restored backup) made them drift.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce

from .models import Ballot, Choice, Question, Vote


@dataclass(frozen=True)
class Mismatch:
    label: str  # what disagrees, for a person to read
    question_id: int
    counter: int  # what the counter says
    rows: int  # how many rows there are

    def __str__(self):
        return f"{self.label}: counter says {self.counter}, rows say {self.rows}"


def mismatches(questions=None):
    """List every counter that disagrees with its rows, for all questions or the given ones."""
    questions = Question.objects.all() if questions is None else questions
    found = [
        Mismatch(f"question {q.pk} “{q}” ballots", q.pk, q.voter_count, q.rows)
        for q in questions.annotate(rows=Count("ballots")).exclude(voter_count=F("rows")).order_by("pk")
    ]
    choices = Choice.objects.filter(question__in=questions.values("pk"))
    found += [
        Mismatch(f"choice {c.pk} “{c}” of question {c.question_id} votes", c.question_id, c.votes, c.rows)
        for c in choices.annotate(rows=Count("ballot_votes")).exclude(votes=F("rows")).order_by("pk")
    ]
    return found


def repair():
    """Set every drifted counter to its row count; return the mismatches that were fixed."""
    fixed = []
    for question_id in sorted({mismatch.question_id for mismatch in mismatches()}):
        fixed += _repair_question(question_id)
    return fixed


def _repair_question(question_id):
    with transaction.atomic():
        # The lock every vote takes before it moves a counter. A vote holding it commits before the
        # recount, which then sees its rows; a vote waiting for it has rows the recount cannot see
        # yet, and adds its increments to the recounted values after: exact while people vote.
        questions = Question.objects.filter(pk=question_id)
        if not questions.lock():
            return []  # deleted since it was found
        found = mismatches(questions)
        ballots = Ballot.objects.filter(question=OuterRef("pk")).order_by().values("question")
        # A new revision: the pages' cached fragments showed the drifted counts.
        questions.update(voter_count=_count(ballots), revision=F("revision") + 1)
        votes = Vote.objects.filter(choice=OuterRef("pk")).order_by().values("choice")
        Choice.objects.filter(question_id=question_id).update(votes=_count(votes))
        return found


def _count(rows):
    """A subquery counting `rows` per outer row, 0 when there are none."""
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")), 0)
