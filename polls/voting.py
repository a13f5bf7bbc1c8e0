"""cast_vote(): the one transaction that records, changes or refuses a ballot."""

import enum
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F
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
    # Every write to a question's ballots takes this row lock first. It serializes them per
    # question, so no two transactions lock the same choices in opposite orders (no deadlock),
    # and closing time and choice limit are read as they are now, not as the form saw them.
    locked = (
        Question.objects.select_for_update()
        .only("closes_at", "max_choices", "pub_date")
        .filter(pk=question.pk)
        .first()
    )
    if locked is None or not locked.is_open():
        raise PollClosed("This poll is closed; votes are no longer accepted.")
    wanted = {choice.pk for choice in choices}
    if len(wanted) > locked.max_choices:
        raise TooManyChoices(f"Pick at most {locked.max_choices} choices.")

    ballot = Ballot.objects.filter(question=question, voter=voter).first()
    new_ballot = ballot is None
    if new_ballot:
        ballot = Ballot.objects.create(question=question, voter=voter)
        held = set()
    else:
        held = set(ballot.votes.values_list("choice_id", flat=True))
    if held == wanted:
        return Receipt(Outcome.UNCHANGED, _ordered(choices), _ordered(choices))

    added, removed = wanted - held, held - wanted
    if removed:
        ballot.votes.filter(choice_id__in=removed).delete()
        Choice.objects.filter(pk__in=removed).update(votes=F("votes") - 1)
    if Choice.objects.filter(pk__in=added, question=question).update(votes=F("votes") + 1) != len(added):
        # An editor deleted a choice between the form and this transaction. Raising rolls back
        # everything written above, and the voter can simply vote again.
        raise VoteRefused("This poll changed while you were voting. Please vote again.")
    Vote.objects.bulk_create(Vote(ballot=ballot, choice_id=pk) for pk in sorted(added))
    Question.objects.filter(pk=question.pk).update(
        voter_count=F("voter_count") + (1 if new_ballot else 0), revision=F("revision") + 1
    )
    if new_ballot:
        return Receipt(Outcome.CAST, _ordered(choices), [])
    Ballot.objects.filter(pk=ballot.pk).update(changed_at=timezone.now())
    return Receipt(Outcome.CHANGED, _ordered(choices), _ordered(Choice.objects.filter(pk__in=held)))


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
