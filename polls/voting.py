"""cast_vote(): the one transaction that records, changes or refuses a ballot."""

import enum
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Case, F, Q, When
from django.utils import timezone

from .models import Ballot, Choice, Question, Vote


class Outcome(enum.Enum):
    CAST = "cast"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class Receipt:
    outcome: Outcome
    choices: list  # the choices the ballot now holds
    previous: list  # the choices it held before (empty for a new ballot)


class VoteRefused(Exception):
    """The ballot cannot be written; the message says why, for the voter to read."""


class PollClosed(VoteRefused):
    pass


class TooManyChoices(VoteRefused):
    pass


class VoteUnconfirmed(Exception):
    """The connection died during COMMIT: the ballot may or may not have been recorded."""


def cast_vote(*, question, choices, voter):
    """
    Make the voter's ballot on the question hold exactly `choices`.

    A new voter gets a new ballot; a voter who picks again moves the ballot (counts move with it);
    the same pick twice changes nothing. Counters change with F() in the same transaction as the
    rows, so Choice.votes always equals the number of Vote rows.
    """
    if not choices:
        raise VoteRefused("Pick at least one choice.")
    if any(choice.question_id != question.pk for choice in choices):
        raise VoteRefused("That choice does not belong to this question.")
    with _atomic_telling_lost_commits():
        return _write_ballot(question, choices, voter)


def _write_ballot(question, choices, voter):
    # The hot rows (the question's and the choices' counters, which every voter of a poll writes)
    # are locked last, by the two UPDATEs right before COMMIT: a vote holds them for two round
    # trips, so votes on one poll queue for the shortest time the counters allow. What comes before
    # touches only this voter's rows.
    wanted = {choice.pk for choice in choices}
    # Creates the ballot, or locks this voter's existing one: the unique constraint makes every
    # other vote of this voter on this question wait here until this one commits.
    (ballot,) = Ballot.objects.bulk_create(
        [Ballot(question=question, voter=voter)],
        update_conflicts=True,
        unique_fields=["voter", "question"],
        update_fields=["voter"],
    )
    # order_by(): Vote's default ordering would join the ballot for its own ordering.
    held = set(ballot.votes.order_by().values_list("choice_id", flat=True))
    if held == wanted:
        return Receipt(Outcome.UNCHANGED, _ordered(choices), _ordered(choices))
    new_ballot = not held  # a ballot is never left empty: it was made just now

    added, removed = wanted - held, held - wanted
    if removed:
        ballot.votes.filter(choice_id__in=removed).delete()
    Vote.objects.bulk_create(Vote(ballot=ballot, choice_id=pk) for pk in sorted(added))
    # The closing time and the choice limit as they are now, read under the question's row lock
    # by the same statement that counts the ballot: a poll closed by an editor a moment ago, or
    # whose limit was lowered, refuses the vote (and the exception rolls everything back).
    now = timezone.now()
    counted = (
        Question.objects.filter(pk=question.pk, max_choices__gte=len(wanted))
        .filter(Q(closes_at__isnull=True) | Q(closes_at__gt=now), pub_date__lte=now)
        .update(voter_count=F("voter_count") + int(new_ballot), revision=F("revision") + 1)
    )
    if not counted:
        _refuse(question, wanted)
    # Then every choice that moves, in one statement: the question first and the choices after it,
    # in every vote (and in the admin's saves), so no two transactions wait on each other in a circle.
    moved = Choice.objects.filter(pk__in=added | removed, question=question).update(
        votes=F("votes") + Case(When(pk__in=added, then=1), default=-1)
    )
    if moved != len(added | removed):
        # An editor deleted a choice between the form and this transaction. Raising rolls back
        # everything written above, and the voter can simply vote again.
        raise VoteRefused("This poll changed while you were voting. Please vote again.")
    if new_ballot:
        return Receipt(Outcome.CAST, _ordered(choices), [])
    Ballot.objects.filter(pk=ballot.pk).update(changed_at=now)
    return Receipt(Outcome.CHANGED, _ordered(choices), _ordered(Choice.objects.filter(pk__in=held)))


def _refuse(question, wanted):
    """Say why the question refused the ballot: closed (or gone), or too many choices."""
    current = Question.objects.filter(pk=question.pk).only("pub_date", "closes_at", "max_choices").first()
    if current is not None and current.is_open() and len(wanted) > current.max_choices:
        raise TooManyChoices(f"Pick at most {current.max_choices} choices.")
    raise PollClosed("This poll is closed; votes are no longer accepted.")


@contextmanager
def _atomic_telling_lost_commits():
    """
    transaction.atomic(), except that a connection lost during COMMIT raises VoteUnconfirmed.

    A failure anywhere before COMMIT rolls the transaction back, so the error propagates as it is
    and means "nothing was recorded". Only when every row was written and COMMIT was sent, but its
    answer never came, is the outcome unknown until someone looks.
    """
    written = False
    try:
        with transaction.atomic():
            yield
            written = True
    except (OperationalError, InterfaceError) as error:
        if written:
            raise VoteUnconfirmed("The database stopped answering while saving the vote.") from error
        raise


def _ordered(choices):
    return sorted(choices, key=lambda choice: (choice.position, choice.pk))
