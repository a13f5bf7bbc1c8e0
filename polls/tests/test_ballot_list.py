"""GET /polls/<id>/ballots.csv (issue 24): hidden while the poll is open, then every ballot by tracker."""

import csv
import datetime
import hashlib
import io
import re
from collections import Counter

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from polls import editing
from polls.ballot_list import recount
from polls.models import Ballot, Choice, Question, ResultsVisibility
from polls.receipts import ballot_tracker
from polls.voting import Outcome, cast_vote

from .admin_helpers import ADD_URL, QUESTIONS_URL, change_url, existing, question_data
from .factories import make_browser, make_question, make_voter
from .test_concurrency import at_once, casting
from .test_receipts import receipts_in, vote

pytestmark = pytest.mark.django_db

ROW = re.compile(r"[0-9a-f]{64}(?:,[01])+")


def list_url(question_or_pk):
    return reverse("polls:ballots_csv", args=[getattr(question_or_pk, "pk", question_or_pk)])


def close(question):
    assert editing.close_now(Question.objects.filter(pk=question.pk)) == 1
    question.refresh_from_db()


def body(response):
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content).decode("utf-8")


def ballot_list(client, question):
    """The list as a spreadsheet reads it: the header, then {tracker: [0 or 1 per choice]}."""
    header, *rows = csv.reader(io.StringIO(body(client.get(list_url(question))), newline=""))
    listed = {tracker: [int(cell) for cell in cells] for tracker, *cells in rows}
    assert len(listed) == len(rows), "a tracker listed twice"
    return header, listed


def sums(listed, columns):
    """Each choice's column summed, as a spreadsheet would."""
    return [sum(cells[column] for cells in listed.values()) for column in range(columns)]


def assert_list_equals_counters(client, question):
    """The columns sum to the choices' counters and there is one row per ballot counted."""
    header, listed = ballot_list(client, question)
    choices = list(question.choices.all())
    question.refresh_from_db()
    assert header == ["tracker", *(choice.choice_text for choice in choices)]
    assert sums(listed, len(choices)) == [choice.votes for choice in choices]
    assert len(listed) == question.voter_count
    return listed


def cast(question, *texts, voter=None):
    voter = voter or make_voter()
    choices = [question.choices.get(choice_text=text) for text in texts]
    cast_vote(question=question, choices=choices, voter=voter)
    return voter


# Hidden, then published ------------------------------------------------------------------------


def test_the_list_is_a_404_page_saying_when_it_comes_while_the_poll_is_open(client):
    closes = timezone.now() + datetime.timedelta(days=2)
    dated = make_question(question_text="Dated?", closes_at=closes)
    endless = make_question(question_text="Endless?")
    cast(dated, "Yes")
    response = client.get(list_url(dated))
    assert response.status_code == 404
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "This poll has no public ballot list" in response.text
    assert "are published when it closes, on <time" in response.text
    assert f'datetime="{closes.astimezone(datetime.UTC):%Y-%m-%dT%H:%M:%SZ}"' in response.text
    assert f'href="{dated.get_absolute_url()}"' in response.text
    assert "Access-Control-Allow-Origin" not in response
    assert "are published when the editors close it." in client.get(list_url(endless)).text


def test_a_closed_poll_whose_editors_turned_the_list_off_keeps_it_hidden(client):
    question = make_question(publish_ballots=False)
    cast(question, "Yes")
    close(question)
    response = client.get(list_url(question))
    assert response.status_code == 404
    assert "chose not to publish its ballots" in response.text
    assert ballot_list_links(client, question) == [0, 0]


def test_an_unpublished_or_unknown_poll_has_no_list(client):
    now = timezone.now()
    scheduled = make_question(pub_date=now + datetime.timedelta(days=1))
    draft = make_question(pub_date=None)
    lonely = make_question(choices=("Only one",), closes_at=now - datetime.timedelta(minutes=1))
    for pk in (scheduled.pk, draft.pk, lonely.pk, 987654):
        response = client.get(list_url(pk))
        assert response.status_code == 404, pk
        assert "This poll has no public ballot list" not in response.text  # nothing said about it


@pytest.mark.parametrize("visibility", list(ResultsVisibility))
def test_the_list_is_published_once_the_poll_closes(client, visibility):
    question = make_question(results_visibility=visibility)
    cast(question, "Yes")
    assert client.get(list_url(question)).status_code == 404
    close(question)
    assert client.get(list_url(question)).status_code == 200
    # Closed by its own closing time passing, with no edit of the row, the same.
    passed = make_question(results_visibility=visibility)
    cast(passed, "No")
    later = timezone.now() + datetime.timedelta(hours=1)
    Question.objects.filter(pk=passed.pk).update(closes_at=later)
    assert client.get(list_url(passed)).status_code == 404
    Question.objects.filter(pk=passed.pk).update(closes_at=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get(list_url(passed)).status_code == 200


def test_reopening_a_poll_hides_its_list_again(client):
    question = make_question()
    close(question)
    assert client.get(list_url(question)).status_code == 200
    editing.reopen(Question.objects.filter(pk=question.pk))
    assert client.get(list_url(question)).status_code == 404


# The format ------------------------------------------------------------------------------------------


@pytest.fixture
def closed_poll():
    """A closed three-choice poll (Red, Green, Blue shown in that order, made in another) and its voters."""
    question = make_question(choices=("Blue", "Red", "Green"), max_choices=2)
    # Shown by position, not by id: Blue was made first but comes last.
    for position, text in enumerate(["Red", "Green", "Blue"]):
        Choice.objects.filter(question=question, choice_text=text).update(position=position)
    ballots = [
        ("Red",),
        ("Green", "Blue"),
        ("Red", "Blue"),
        ("Blue",),
        ("Red",),
        ("Green",),
        ("Red", "Green"),
    ]
    voters = {cast(question, *texts): texts for texts in ballots}
    close(question)
    return question, voters


def test_the_list_is_a_header_then_one_row_of_ones_and_zeroes_per_ballot_by_tracker(client, closed_poll):
    question, voters = closed_poll
    text = body(client.get(list_url(question)))
    assert not text.startswith("\ufeff")  # no BOM: the first cell reads "tracker"
    assert text.endswith("\r\n")
    lines = text.split("\r\n")[:-1]
    assert not re.search(r"[\r\n]", "".join(lines))  # CRLF, and only between lines
    assert lines[0] == "tracker,Red,Green,Blue"
    rows = lines[1:]
    assert len(rows) == len(voters) == 7
    assert all(ROW.fullmatch(row) and row.count(",") == 3 for row in rows), rows
    trackers = [row.split(",")[0] for row in rows]
    assert trackers == sorted(trackers)
    assert len(set(trackers)) == 7
    # Each row is its voter's ballot, under its tracker, and nothing else of the voter.
    expected = {
        ballot_tracker(voter, question.pk): ",".join(str(int(t in texts)) for t in ("Red", "Green", "Blue"))
        for voter, texts in voters.items()
    }
    assert {row.split(",", 1)[0]: row.split(",", 1)[1] for row in rows} == expected
    assert not any(str(voter) in text or voter.hex in text for voter in voters)


def test_the_list_is_a_public_csv_download_with_an_etag(client, closed_poll):
    question, _ = closed_poll
    response = client.get(list_url(question))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="poll-{question.pk}-ballots.csv"'
    assert response["Access-Control-Allow-Origin"] == "*"
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")
    assert response.streaming  # read from the database as it is sent, never held whole
    etag = response["ETag"]
    again = client.get(list_url(question), headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    # An edit of the poll (its choices' texts are the header) makes a new version.
    Question.objects.get(pk=question.pk).save()
    changed = client.get(list_url(question), headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_the_list_answers_head_and_refuses_other_methods(client, closed_poll):
    question, _ = closed_poll
    head = client.head(list_url(question))
    assert head.status_code == 200
    assert head["Content-Type"] == "text/csv; charset=utf-8"
    assert head["ETag"] == client.get(list_url(question))["ETag"]
    for method in (client.post, client.put, client.delete):
        assert method(list_url(question)).status_code == 405


def test_a_voter_finds_their_ballot_in_the_list_by_the_sha256_of_their_receipt(client):
    question = make_question(choices=("Red", "Green", "Blue"), max_choices=2)
    for texts in (("Red",), ("Green", "Blue"), ("Red", "Green")):
        cast(question, *texts)
    [receipt] = receipts_in(vote(client, question, "Red", "Blue").text)
    close(question)
    page = client.get(question.get_absolute_url()).text
    assert f"printf %s '{receipt}' | sha256sum" in page  # the page shows how, with theirs
    _, listed = ballot_list(make_browser(), question)
    assert listed[hashlib.sha256(receipt.encode()).hexdigest()] == [1, 0, 1]


def test_the_columns_sum_to_the_counters_after_votes_and_changes(client):
    question = make_question(choices=("A", "B", "C", "D"), max_choices=3)
    voters = [cast(question, *picks) for picks in (("A",), ("A", "B"), ("B", "C", "D"), ("D",), ("C",))]
    cast(question, "B", voter=voters[0])  # A -> B
    cast(question, "A", "C", "D", voter=voters[2])  # B C D -> A C D
    cast(question, "D", voter=voters[3])  # the same again
    close(question)
    listed = assert_list_equals_counters(client, question)
    assert sums(listed, 4) == [2, 2, 2, 2]
    assert len(listed) == 5
    assert recount(question, list(question.choices.all())).agrees


def test_a_poll_without_ballots_lists_its_header_alone(client):
    question = make_question()
    close(question)
    assert body(client.get(list_url(question))) == "tracker,Yes,No\r\n"


def test_choice_texts_round_trip_through_a_csv_reader_and_formulas_are_defused(client):
    texts = ('Red, or "dark" red', "=SUM(A1:A9)", "+1", "-1", "@here", "Plain")
    question = make_question(choices=texts)
    cast(question, 'Red, or "dark" red')
    close(question)
    header, listed = ballot_list(client, question)
    assert header == ["tracker", 'Red, or "dark" red', "'=SUM(A1:A9)", "'+1", "'-1", "'@here", "Plain"]
    assert list(listed.values()) == [[1, 0, 0, 0, 0, 0]]


# Where the pages and the JSON point to it ----------------------------------------------------------


def ballot_list_links(client, question):
    """How many links to the poll's ballot list its results page and its poll page hold."""
    pages = [reverse("polls:results", args=[question.pk]), question.get_absolute_url()]
    return [client.get(page).text.count(f'href="{list_url(question)}"') for page in pages]


def test_the_results_and_the_closed_poll_page_link_to_the_list_once_it_is_published(client):
    question = make_question()
    vote(client, question, "Yes")
    assert ballot_list_links(client, question) == [0, 0]
    close(question)
    assert ballot_list_links(client, question) == [1, 1]
    for page in (reverse("polls:results", args=[question.pk]), question.get_absolute_url()):
        assert "Recount it yourself" in make_browser().get(page).text  # for everyone, not only voters


def test_the_json_gives_the_lists_address_once_it_is_published(client):
    question = make_question()
    json_url = reverse("polls:results_json", args=[question.pk])
    assert client.get(json_url).json()["ballots_csv"] is None
    close(question)
    assert client.get(json_url).json()["ballots_csv"] == f"https://testserver{list_url(question)}"
    turned_off = make_question(publish_ballots=False)
    close(turned_off)
    assert client.get(reverse("polls:results_json", args=[turned_off.pk])).json()["ballots_csv"] is None


# The admin ----------------------------------------------------------------------------------------------


def test_the_admin_form_has_the_switch_on_by_default(editor):
    add = editor.get(ADD_URL).text
    assert re.search(r'<input type="checkbox" name="publish_ballots"[^>]* checked', add)
    question = make_question(publish_ballots=False)
    change = editor.get(change_url(question)).text
    assert re.search(r'<input type="checkbox" name="publish_ballots"', change)
    assert not re.search(r'<input type="checkbox" name="publish_ballots"[^>]* checked', change)


def test_the_admin_list_says_whether_each_list_is_published(editor):
    now = timezone.now()
    make_question(question_text="Running")
    make_question(question_text="Over", pub_date=now - 3 * datetime.timedelta(hours=1), closes_at=now)
    make_question(
        question_text="Over, kept",
        pub_date=now - 3 * datetime.timedelta(hours=1),
        closes_at=now,
        publish_ballots=False,
    )
    html = editor.get(QUESTIONS_URL).text
    assert ">Ballot list</a>" in html  # a sortable column
    cells = re.findall(r'<td class="field-ballot_list">(.*?)</td>', html)
    over = Question.objects.get(question_text="Over")
    assert sorted(cells) == sorted(
        [f'<a href="{list_url(over)}">published</a>', "when it closes", "not published"]
    )
    off = editor.get(QUESTIONS_URL, {"ballot_list": "off"})
    assert [q.question_text for q in off.context["cl"].result_list] == ["Over, kept"]
    on = editor.get(QUESTIONS_URL, {"ballot_list": "on"})
    assert sorted(q.question_text for q in on.context["cl"].result_list) == ["Over", "Running"]


def test_an_editor_turning_the_list_off_hides_it_and_on_again_shows_it(client, editor):
    question = make_question(question_text="Which colour?", choices=("Red", "Blue"))
    cast(question, "Red")
    close(question)
    assert client.get(list_url(question)).status_code == 200
    data = question_data(
        existing(question), pub_date=question.pub_date, closes_at=question.closes_at, publish_ballots=False
    )
    assert editor.post(change_url(question), data).status_code == 302  # the box left unticked
    assert not Question.objects.get(pk=question.pk).publish_ballots
    assert client.get(list_url(question)).status_code == 404
    assert editor.post(change_url(question), {**data, "publish_ballots": "on"}).status_code == 302
    assert client.get(list_url(question)).status_code == 200


# What the database refuses ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tracker",
    ["", "A" * 64, "a" * 63, "g" * 64, "0" * 63 + "\n", " " + "0" * 63],
    ids=["empty", "upper case", "63 characters", "not hex", "a line break", "a blank"],
)
def test_the_database_refuses_a_tracker_that_is_not_a_sha256(tracker):
    question = make_question()
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(question=question, voter=make_voter(), tracker=tracker)


def test_a_ballot_without_a_tracker_is_refused():
    question = make_question()
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.bulk_create([Ballot(question=question, voter=make_voter(), tracker=None)])


@pytest.mark.postgres
@pytest.mark.usefixtures("postgres")
@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_two_ballots_with_one_tracker_on_a_question_when_it_commits():
    question, other = make_question(), make_question(question_text="Another poll?")
    shared = "ab" * 32

    let_in = []

    def two_ballots():
        with transaction.atomic():
            Ballot.objects.create(question=question, voter=make_voter(), tracker=shared)
            Ballot.objects.create(question=question, voter=make_voter(), tracker=shared)
            let_in.append(Ballot.objects.count())

    with pytest.raises(IntegrityError, match="one_ballot_per_tracker_per_question"):
        two_ballots()
    # Deferred: the second row was let in, and refused only at COMMIT (see Ballot.Meta).
    assert let_in == [2]
    assert Ballot.objects.count() == 0
    # The same tracker on another question is another ballot list's business.
    Ballot.objects.create(question=question, voter=make_voter(), tracker=shared)
    Ballot.objects.create(question=other, voter=make_voter(), tracker=shared)


# Under concurrency (PostgreSQL) ---------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.usefixtures("postgres")
@pytest.mark.django_db(transaction=True)
def test_votes_at_once_leave_a_list_of_unique_trackers_equal_to_the_counters(client):
    question = make_question(choices=("Red", "Green", "Blue"), max_choices=2)
    choices = list(question.choices.all())
    # Eight threads of distinct voters, and eight of one voter at a time casting the same first vote
    # at once, all together.
    plans = [[(make_voter(), choices[(t + i) % 3 : (t + i) % 3 + 2]) for i in range(8)] for t in range(8)]
    twins = [make_voter() for _ in range(3)]
    tasks = [casting(question, plan) for plan in plans]
    tasks += [casting(question, [(voter, [choices[0]]) for voter in twins]) for _ in range(8)]
    results = [result for task_results in at_once(tasks) for _, result in task_results]
    assert Counter(result.outcome for result in results) == {Outcome.CAST: 64 + 3, Outcome.UNCHANGED: 21}

    close(question)
    listed = assert_list_equals_counters(client, question)
    voters = [voter for plan in plans for voter, _ in plan] + twins
    assert set(listed) == {ballot_tracker(voter, question.pk) for voter in voters}
    assert len(listed) == 67
    assert recount(question, list(question.choices.all())).agrees


@pytest.mark.postgres
@pytest.mark.usefixtures("postgres")
@pytest.mark.django_db(transaction=True)
def test_one_voters_first_votes_at_once_share_their_tracker_without_an_error(client):
    """
    The race the deferred unique constraint on (question, tracker) is for: two first votes of one
    voter that both find no ballot insert the same tracker, and the second must become an update
    of the first's ballot, not a unique violation. The window is narrow: without the deferral,
    about one race of two threads in ten failed on this machine (fewer with more threads at once,
    queued on other locks), so a hundred pairs race, one pair at a time.
    """
    question = make_question()
    yes = question.choices.get(choice_text="Yes")
    voters = [make_voter() for _ in range(100)]
    for voter in voters:
        outcomes = {result.outcome for [(_, result)] in at_once([casting(question, [(voter, [yes])])] * 2)}
        assert outcomes == {Outcome.CAST, Outcome.UNCHANGED}
    close(question)
    listed = assert_list_equals_counters(client, question)
    assert set(listed) == {ballot_tracker(voter, question.pk) for voter in voters}


@pytest.mark.postgres
@pytest.mark.usefixtures("postgres")
@pytest.mark.django_db(transaction=True)
def test_changes_of_vote_at_once_keep_each_ballots_tracker(client):
    question = make_question(choices=("Red", "Green", "Blue"))
    red, green, blue = question.choices.all()
    voters = [cast(question, "Red") for _ in range(24)]
    before = dict(Ballot.objects.values_list("voter", "tracker"))
    tasks = [
        casting(question, [(voter, [pick]) for voter in voters[t::4]])
        for t in range(4)
        for pick in (green, blue)
    ]
    at_once(tasks)
    assert dict(Ballot.objects.values_list("voter", "tracker")) == before
    close(question)
    listed = assert_list_equals_counters(client, question)
    assert set(listed) == set(before.values())
    assert question.choices.get(pk=red.pk).votes == 0
