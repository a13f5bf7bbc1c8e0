"""cast_vote(): the one transaction that records, changes or refuses a ballot, on every database."""

import enum
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from .models import Ballot, Choice, Question, Vote
from .receipts import ballot_tracker


class Outcome(enum.Enum):
    CAST = "cast"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class VoteResult:
    outcome: Outcome
    choices: list  # the choices the ballot now holds, in the poll's order
    previous: list  # the choices it held before (empty for a new ballot)


class VoteRefused(Exception):
    """The ballot cannot be written; the message says why, for the voter to read."""


class PollClosed(VoteRefused):
    def __init__(self, message, closes_at):
        super().__init__(message)
        self.closes_at = closes_at  # as the database held it when it refused the ballot


class PollGone(VoteRefused):
    """The question was deleted or unpublished while the voter had its form open."""


class TooManyChoices(VoteRefused):
    pass


class VoteUnconfirmed(Exception):
    """The connection died during COMMIT: the ballot may or may not have been recorded."""


def cast_vote(*, question, choices, voter):
    """
    Make the voter's ballot on the question hold exactly `choices`.

    A new voter gets a new ballot; a voter who picks again moves the ballot (counts move with it);
    the same pick twice changes nothing. Counters move by F() increments in the same transaction
    as the rows, so Choice.votes always equals the choice's Vote rows and Question.voter_count the
    question's Ballot rows.
    """
    if not choices:
        raise VoteRefused(gettext("Pick at least one choice."))
    if any(choice.question_id != question.pk for choice in choices):
        raise VoteRefused(gettext("That choice does not belong to this question."))
    with _atomic_telling_lost_commits():
        return _write_ballot(question, _ordered(choices), voter)


def _write_ballot(question, choices, voter):
    now = timezone.now()
    # The voter's ballot, new or locked: the unique constraint makes every other vote of this voter
    # on this question wait here until this one commits (ON CONFLICT ... DO UPDATE takes the lock).
    # A new ballot's tracker comes in the same INSERT; an existing ballot keeps its own.
    [ballot] = Ballot.objects.bulk_create(
        [Ballot(question=question, voter=voter, cast_at=now, tracker=ballot_tracker(voter, question.pk))],
        update_conflicts=True,
        unique_fields=["voter", "question"],
        update_fields=["voter"],
    )
    held = set(Vote.objects.filter(ballot=ballot).order_by().values_list("choice_id", flat=True))
    wanted = {choice.pk for choice in choices}
    if held == wanted:
        return VoteResult(Outcome.UNCHANGED, choices, choices)
    new_ballot = not held  # a ballot is never left empty: an empty one was made just now
    added, removed = wanted - held, held - wanted
    previous = [] if new_ballot else _ordered(Choice.objects.filter(pk__in=held))
    if removed:
        Vote.objects.filter(ballot=ballot, choice__in=removed).delete()
    if added:
        Vote.objects.bulk_create(Vote(ballot=ballot, choice_id=pk) for pk in sorted(added))
    if not new_ballot:
        Ballot.objects.filter(pk=ballot.pk).update(changed_at=now)

    # The counters last, right before COMMIT: every voter of a poll writes these rows, so they stay
    # locked no longer than these UPDATEs and the COMMIT. The question first and its choices after
    # it, in every vote and in the admin's saves, so no two transactions wait in a circle. The
    # question's row answers, under its lock, whether the poll still takes this ballot: open now,
    # and with a limit the ballot fits (an editor may have closed it or lowered the limit since the
    # form was read). A refusal raises, and the transaction rolls back whole.
    counted = (
        Question.objects.open()
        .filter(pk=question.pk, max_choices__gte=len(wanted))
        .update(voter_count=F("voter_count") + int(new_ballot), revision=F("revision") + 1)
    )
    if not counted:
        _refuse(question, wanted)
    moved = 0
    if added:
        moved += Choice.objects.filter(question=question, pk__in=added).update(votes=F("votes") + 1)
    if removed:
        moved += Choice.objects.filter(question=question, pk__in=removed).update(votes=F("votes") - 1)
    if moved != len(added) + len(removed):
        # An editor deleted a choice between the form and this transaction. Raising rolls back
        # everything written above, and the voter can simply vote again.
        raise VoteRefused(gettext("This poll changed while you were voting. Please vote again."))
    return VoteResult(Outcome.CAST if new_ballot else Outcome.CHANGED, choices, previous)


def _refuse(question, wanted):
    """Say why the question refused the ballot: gone, closed, or too many choices."""
    current = Question.objects.published().filter(pk=question.pk).first()
    if current is None:
        raise PollGone(gettext("This poll is no longer published."))
    if current.is_closed():
        raise PollClosed(gettext("This poll is closed; votes are no longer accepted."), current.closes_at)
    if len(wanted) > current.max_choices:
        limit = current.max_choices
        raise TooManyChoices(
            ngettext("Pick at most %(limit)d choice.", "Pick at most %(limit)d choices.", limit)
            % {"limit": limit}
        )
    # Refused a moment ago, fine now: an editor reopened the poll or raised its limit meanwhile.
    raise VoteRefused(gettext("This poll changed while you were voting. Please vote again."))


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
