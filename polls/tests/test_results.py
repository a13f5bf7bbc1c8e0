"""Whole percentages that add up to 100, leaders and ties, "your vote"."""

import pytest

from polls.models import Choice, Question
from polls.results import Tally, whole_percentages


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ([1, 1, 1], [34, 33, 33]),
        ([2, 1], [67, 33]),
        ([1, 2], [33, 67]),
        ([0, 0, 0], [0, 0, 0]),
        ([5, 0], [100, 0]),
        ([1, 1, 1, 1, 1, 1, 1], [15, 15, 14, 14, 14, 14, 14]),
        ([333, 333, 334], [33, 33, 34]),
        ([1, 0, 0, 0], [100, 0, 0, 0]),
    ],
)
def test_whole_percentages(counts, expected):
    assert whole_percentages(counts) == expected


@pytest.mark.parametrize("counts", [[7, 3, 1], [1] * 13, [999_999, 1, 1], [2, 2, 3, 3, 5]])
def test_whole_percentages_always_sum_to_100(counts):
    assert sum(whole_percentages(counts)) == 100


def _tally(*votes, yours=()):
    question = Question(question_text="Q", voter_count=sum(votes))
    choices = [Choice(pk=i + 1, question=question, choice_text=f"C{i}", votes=v) for i, v in enumerate(votes)]
    return Tally(question, choices, [choices[i].pk for i in yours])


def test_the_leading_choice_is_marked():
    result = _tally(3, 5, 1)
    assert [row.is_leader for row in result.rows] == [False, True, False]
    assert not result.is_tie


def test_a_tie_for_first_marks_every_leader():
    result = _tally(4, 4, 1)
    assert [row.is_leader for row in result.rows] == [True, True, False]
    assert result.is_tie


def test_no_votes_has_no_leader_and_is_empty():
    result = _tally(0, 0)
    assert result.is_empty
    assert result.leaders == []


def test_your_vote_is_marked():
    result = _tally(1, 2, yours=[1])
    assert [row.is_yours for row in result.rows] == [False, True]
