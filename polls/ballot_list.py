"""
The public ballot list of a closed poll (docs/receipts.md), and its recount.

One row per ballot, by tracker: the tracker, then 1 or 0 for each of the poll's choices in their
order. Nothing else (no time, no voter, no position in the count), so the list tells nobody who
voted or when, and its columns sum to the results. The page's download and `manage.py recount` read
these same rows.
"""

import csv
import itertools
import re
from dataclasses import dataclass
from operator import itemgetter

from .exports import Echo, defused
from .models import Vote
from .receipts import TRACKER_PATTERN

# Vote rows fetched per round trip: the list is streamed, never held whole in memory.
CHUNK_SIZE = 2000


def header(choices):
    # A choice that a spreadsheet would run as a formula keeps the admin export's apostrophe.
    return ["tracker", *(defused(choice.choice_text) for choice in choices)]


def rows(question, choices):
    """Yield [tracker, 1 or 0 for each of `choices`] for every ballot on the question, by tracker."""
    votes = Vote.objects.ballot_list(question).iterator(chunk_size=CHUNK_SIZE)
    for tracker, group in itertools.groupby(votes, key=itemgetter(0)):
        held = {choice_id for _, choice_id in group}
        yield [tracker, *(int(choice.pk in held) for choice in choices)]


def csv_lines(question, choices):
    """The list as CSV text, a line at a time (RFC 4180: comma-separated, CRLF line ends)."""
    writer = csv.writer(Echo())
    return (writer.writerow(row) for row in itertools.chain([header(choices)], rows(question, choices)))


@dataclass(frozen=True)
class Recount:
    """The ballot list summed up, beside the counters the results page shows."""

    choices: list
    listed: list  # per choice, the rows holding it
    counted: list  # per choice, Choice.votes
    ballots_listed: int
    ballots_counted: int  # Question.voter_count
    faults: list  # what is wrong with the list's rows themselves, for a person to read

    @property
    def agrees(self):
        return not self.faults and self.listed == self.counted and self.ballots_listed == self.ballots_counted


def recount(question, choices):
    """
    Read the list as anyone would, from its CSV text: check each row, sum the columns, and set the
    sums beside the counters. Exact while people vote only if the question is locked meanwhile.
    """
    reader = csv.reader(csv_lines(question, choices))
    next(reader)  # the header
    listed, faults, ballots, previous = [0] * len(choices), [], 0, ""
    for line, (tracker, *cells) in enumerate(reader, start=2):
        ballots += 1
        if not re.fullmatch(TRACKER_PATTERN, tracker) or tracker <= previous:
            faults.append(f"line {line}: tracker {tracker} is malformed, repeated or out of order")
        previous = tracker
        if any(cell not in ("0", "1") for cell in cells) or not 0 < cells.count("1") <= question.max_choices:
            faults.append(f"line {line}: {','.join(cells)} is not a ballot this poll accepts")
            continue
        listed = [total + int(cell) for total, cell in zip(listed, cells, strict=True)]
    return Recount(
        choices, listed, [choice.votes for choice in choices], ballots, question.voter_count, faults
    )
