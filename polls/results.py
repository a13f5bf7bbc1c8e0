"""Tallies as people read them: whole percentages that sum to 100, the leaders, "your vote"."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    choice: object
    votes: int
    percent: int
    is_leader: bool
    is_yours: bool


@dataclass(frozen=True)
class Tally:
    rows: list
    voters: int  # ballots cast
    selections: int  # choices marked over all ballots (equals voters on single-choice polls)

    @property
    def is_empty(self):
        return self.selections == 0

    @property
    def leaders(self):
        return [row for row in self.rows if row.is_leader]

    @property
    def is_tie(self):
        return len(self.leaders) > 1


def whole_percentages(counts):
    """
    Round shares of sum(counts) to whole percentages that add up to exactly 100.

    Largest remainder (Hare) method: floor every share, then hand the points still missing to the
    largest remainders. Equal remainders go to the earlier entry, so the result is deterministic.
    Integer arithmetic only: no float can round 1/3 the wrong way.
    """
    total = sum(counts)
    if total == 0:
        return [0] * len(counts)
    floors = [count * 100 // total for count in counts]
    remainders = [count * 100 % total for count in counts]
    missing = 100 - sum(floors)
    by_remainder = sorted(range(len(counts)), key=lambda i: (-remainders[i], i))
    for i in by_remainder[:missing]:
        floors[i] += 1
    return floors


def tally(question, choices, yours=()):
    """Build the results of `question` from its `choices` (with their counters) for one visitor."""
    counts = [choice.votes for choice in choices]
    top = max(counts, default=0)
    your_ids = {choice.pk for choice in yours}
    rows = [
        Row(
            choice=choice,
            votes=choice.votes,
            percent=percent,
            is_leader=top > 0 and choice.votes == top,
            is_yours=choice.pk in your_ids,
        )
        for choice, percent in zip(choices, whole_percentages(counts), strict=True)
    ]
    return Tally(rows=rows, voters=question.voter_count, selections=sum(counts))
