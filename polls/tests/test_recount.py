"""manage.py recount: a poll's ballot list summed as anyone would, and checked against its counters."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from polls import editing
from polls.models import Ballot, Choice, Question, Vote

from .factories import make_question, make_voter
from .test_ballot_list import cast
from .test_concurrency import at_once, casting

pytestmark = pytest.mark.django_db

AGREES = "The list of {} ballots sums to the counters."
TABLE_ROW = re.compile(r"  (?P<label>\S.*?) +(?P<listed>\d+) +(?P<counted>\d+)(?P<differs>  differs)?")


def run(question_id):
    out, err = StringIO(), StringIO()
    call_command("recount", question_id, stdout=out, stderr=err, no_color=True)
    return out.getvalue(), err.getvalue()


def refused(question_id):
    """What a recount that disagrees prints, and its error, after it exits nonzero."""
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as refusal:
        call_command("recount", question_id, stdout=out, stderr=err, no_color=True)
    assert refusal.value.returncode == 1
    return out.getvalue(), err.getvalue(), str(refusal.value)


def table(out):
    """{label: (list, counter, differs)} from the printed table."""
    rows = {}
    for line in out.splitlines():
        if row := TABLE_ROW.fullmatch(line):
            rows[row["label"]] = (int(row["listed"]), int(row["counted"]), bool(row["differs"]))
    return rows


@pytest.fixture
def closed_poll():
    """A closed poll of three ballots: Red twice, Blue once, none for Green."""
    question = make_question(question_text="Which colour?", choices=("Red", "Green", "Blue"))
    for text in ("Red", "Blue", "Red"):
        cast(question, text)
    editing.close_now(Question.objects.filter(pk=question.pk))
    return question


def test_a_consistent_poll_prints_its_table_and_agrees(closed_poll):
    out, err = run(closed_poll.pk)
    assert f"Poll {closed_poll.pk}: “Which colour?”" in out
    assert table(out) == {
        "ballots": (3, 3, False),
        "“Red”": (2, 2, False),
        "“Green”": (0, 0, False),
        "“Blue”": (1, 1, False),
    }
    assert out.rstrip().endswith(AGREES.format(3))
    assert "not public" not in out
    assert "differs" not in out
    assert err == ""


def test_a_counter_moved_without_its_ballot_is_caught_and_named(closed_poll):
    Choice.objects.filter(question=closed_poll, choice_text="Green").update(votes=F("votes") + 1)
    out, _, error = refused(closed_poll.pk)
    assert error == f"The ballot list of poll {closed_poll.pk} does not agree with its counters."
    rows = table(out)
    assert rows["“Green”"] == (0, 1, True)
    assert [label for label, (*_, differs) in rows.items() if differs] == ["“Green”"]
    assert "sums to the counters" not in out


def test_a_ballot_count_out_of_step_is_caught(closed_poll):
    Question.objects.filter(pk=closed_poll.pk).update(voter_count=F("voter_count") - 1)
    out, _, _ = refused(closed_poll.pk)
    assert table(out)["ballots"] == (3, 2, True)


def test_a_vote_row_added_behind_the_counters_back_is_caught(closed_poll):
    # The rows change and the counters do not: a list that was tampered with, not the counters.
    ballot = Ballot.objects.filter(question=closed_poll).first()
    held = Vote.objects.get(ballot=ballot).choice
    other = closed_poll.choices.exclude(pk=held.pk).first()
    Vote.objects.filter(ballot=ballot).update(choice=other)
    out, _, _ = refused(closed_poll.pk)
    rows = table(out)
    assert rows[f"“{held}”"][2]
    assert rows[f"“{other}”"][2]


def test_a_row_this_poll_would_never_accept_is_reported_even_when_the_sums_agree(closed_poll):
    # Green added to the Blue ballot of a one-choice poll, and Blue's counter lowered: the list's
    # other rows sum to the counters, and only the row itself gives the tampering away.
    ballot = Ballot.objects.filter(question=closed_poll, votes__choice__choice_text="Blue").get()
    Vote.objects.create(ballot=ballot, choice=closed_poll.choices.get(choice_text="Green"))
    Choice.objects.filter(question=closed_poll, choice_text="Blue").update(votes=F("votes") - 1)
    out, err, _ = refused(closed_poll.pk)
    assert not any(differs for *_, differs in table(out).values())
    assert f"line {ballot_line(closed_poll, ballot)}: 0,1,1 is not a ballot this poll accepts" in err


def ballot_line(question, ballot):
    """The line of the CSV text that holds the ballot (the header is line 1)."""
    trackers = sorted(Ballot.objects.filter(question=question).values_list("tracker", flat=True))
    return trackers.index(ballot.tracker) + 2


def test_an_unknown_poll_is_an_error():
    with pytest.raises(CommandError, match=r"^There is no poll 987654\.$"):
        run(987654)


@pytest.mark.parametrize("why", ["open", "turned off"])
def test_a_list_that_is_not_public_is_recounted_with_a_note(why):
    question = make_question(question_text="Still open?", publish_ballots=why != "turned off")
    cast(question, "Yes")
    cast(question, "No")
    if why == "turned off":
        editing.close_now(Question.objects.filter(pk=question.pk))
    out, _ = run(question.pk)
    assert out.startswith(f"Poll {question.pk}’s ballot list is not public; recounting it all the same.")
    assert table(out)["ballots"] == (2, 2, False)
    assert out.rstrip().endswith(AGREES.format(2))


@pytest.mark.postgres
@pytest.mark.usefixtures("postgres")
@pytest.mark.django_db(transaction=True)
def test_recounts_while_people_vote_always_agree():
    # The recount locks the question as every vote does, so no ballot lands between the list it
    # reads and the counters it reads after: each recount agrees, though the poll is open.
    question = make_question(choices=("Red", "Green", "Blue"))
    choices = list(question.choices.all())
    plans = [[(make_voter(), [choices[(t + i) % 3]]) for i in range(15)] for t in range(8)]
    recounting = [lambda: [run(question.pk) for _ in range(10)]] * 4
    outputs = at_once([casting(question, plan) for plan in plans] + recounting)[8:]
    assert all(AGREES.split("{}")[1] in out for task in outputs for out, _ in task)
    out, _ = run(question.pk)
    assert AGREES.format(120) in out
