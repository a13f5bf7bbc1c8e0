"""Tallies as people read them: whole percentages that sum to 100, the leaders, "your vote"."""

from dataclasses import dataclass
from functools import cached_property


@dataclass(frozen=True)
class Row:
    choice: object
    votes: int
    percent: int
    is_leader: bool
    is_yours: bool


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


class Tally:
    """
    The results of a question's `choices` (with their counters) for one visitor, whose ballot
    holds the choices whose ids are `yours`.

    `choices` may be a QuerySet not read yet: it is read when a row is first asked for, so a page
    whose tally comes from the template fragment cache never reads it.
    """

    def __init__(self, question, choices, yours=()):
        self.question = question
        self.choices = choices
        self.yours = tuple(sorted(yours))  # sorted: also a part of the tally fragment's cache key

    @cached_property
    def rows(self):
        choices = list(self.choices)
        counts = [choice.votes for choice in choices]
        top = max(counts, default=0)
        return [
            Row(
                choice=choice,
                votes=choice.votes,
                percent=percent,
                is_leader=top > 0 and choice.votes == top,
                is_yours=choice.pk in self.yours,
            )
            for choice, percent in zip(choices, whole_percentages(counts), strict=True)
        ]

    @property
    def your_choices(self):
        return [row.choice for row in self.rows if row.is_yours]

    @property
    def voters(self):
        """Ballots cast."""
        return self.question.voter_count

    @cached_property
    def selections(self):
        """Choices marked over all ballots (equals voters on single-choice polls)."""
        return sum(row.votes for row in self.rows)

    @property
    def is_empty(self):
        return self.selections == 0

    @property
    def leaders(self):
        return [row for row in self.rows if row.is_leader]

    @property
    def leading_choices(self):
        return [row.choice for row in self.leaders]

    @property
    def is_tie(self):
        return len(self.leaders) > 1
