"""The admin's actions on selected polls, and the model methods behind them."""

import csv
import datetime
import io

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from polls import editing
from polls.models import Ballot, Question, Status
from polls.voting import PollClosed, cast_vote

from .admin_helpers import QUESTIONS_URL, change_url, make_editor
from .factories import make_question, make_voter

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


def act(browser, action, *questions, follow=True):
    data = {"action": action, "_selected_action": [q.pk for q in questions]}
    return browser.post(QUESTIONS_URL, data, follow=follow)


def shown(response):
    return [str(message) for message in response.context["messages"]]


def vote(question, *texts):
    choices = [question.choices.get(choice_text=text) for text in texts]
    cast_vote(question=question, choices=choices, voter=make_voter())


def statuses():
    return dict(Question.objects.with_status().values_list("question_text", "status"))


# Changes of state --------------------------------------------------------------------------------


def test_publish_now_publishes_scheduled_polls_and_leaves_the_others(editor, client):
    soon = make_question(question_text="Soon", pub_date=timezone.now() + HOUR)
    live = make_question(question_text="Live")
    response = act(editor, "publish_now", soon, live)
    assert shown(response) == [
        "Published 1 poll now.",
        "1 poll was already published and was left as it was.",
    ]
    assert statuses() == {"Soon": Status.OPEN, "Live": Status.OPEN}
    assert client.get(soon.get_absolute_url()).status_code == 200


def test_close_now_stops_the_votes(editor):
    live = make_question(question_text="Live", closes_at=timezone.now() + HOUR)
    soon = make_question(question_text="Soon", pub_date=timezone.now() + HOUR)
    response = act(editor, "close_now", live, soon)
    assert shown(response) == [
        "Closed 1 poll: it accepts no more votes.",
        "1 poll was not open (scheduled or already closed) and was left as it was.",
    ]
    assert statuses() == {"Live": Status.CLOSED, "Soon": Status.SCHEDULED}
    with pytest.raises(PollClosed):
        vote(live, "Yes")
    # The question's history says who closed it; the scheduled one has no entry.
    entry = LogEntry.objects.get()
    assert (entry.object_id, entry.action_flag) == (str(live.pk), CHANGE)
    assert entry.get_change_message() == "Closed now, from the list."
    assert entry.user.username == "editor"


def test_reopen_opens_closed_polls_with_no_closing_time(editor):
    now = timezone.now()
    over = make_question(question_text="Over", pub_date=now - 2 * HOUR, closes_at=now - HOUR)
    response = act(editor, "reopen", over)
    assert shown(response) == ["Reopened 1 poll with no closing time."]
    over.refresh_from_db()
    assert over.closes_at is None
    vote(over, "Yes")
    assert Ballot.objects.filter(question=over).count() == 1


def test_a_change_of_state_is_seen_by_the_pages_that_cache(editor):
    # The revision moves, as with a ballot, and updated_at too (update() skips auto_now).
    live = make_question()
    before = Question.objects.get(pk=live.pk)
    act(editor, "close_now", live)
    after = Question.objects.get(pk=live.pk)
    assert after.revision == before.revision + 1
    assert after.updated_at > before.updated_at


def test_actions_work_on_every_poll_of_a_filtered_list(editor):
    # "Select all" on a list filtered by status: the change moves the polls out of that filter.
    soon = [make_question(question_text=f"Soon {i}", pub_date=timezone.now() + HOUR) for i in range(3)]
    data = {"action": "publish_now", "select_across": "1", "index": "0", "_selected_action": soon[0].pk}
    response = editor.post(QUESTIONS_URL + "?status=scheduled", data, follow=True)
    assert shown(response) == ["Published 3 polls now."]
    assert set(statuses().values()) == {Status.OPEN}


def test_staff_without_the_change_permission_cannot_run_the_actions():
    live = make_question(question_text="Live")
    viewer = make_editor("view_question")
    for action in ("close_now", "duplicate"):
        act(viewer, action, live)
    assert statuses() == {"Live": Status.OPEN}


# Duplicate ---------------------------------------------------------------------------------------


def test_duplicate_makes_a_hidden_draft_with_the_choices_and_no_votes(editor, client):
    now = timezone.now()
    original = make_question(
        question_text="Lunch?", choices=("Soup", "Salad", "Pasta"), closes_at=now + 2 * HOUR, max_choices=2
    )
    vote(original, "Soup", "Pasta")
    response = act(editor, "duplicate", original, follow=False)
    copy = Question.objects.exclude(pk=original.pk).get()
    assert response["Location"] == change_url(copy)  # one copy: straight to its form
    assert copy.question_text == "Lunch?"
    assert copy.max_choices == 2
    assert [(c.choice_text, c.position, c.votes) for c in copy.choices.all()] == [
        ("Soup", 0, 0),
        ("Salad", 1, 0),
        ("Pasta", 2, 0),
    ]
    assert copy.voter_count == 0
    assert not copy.ballots.exists()
    assert (copy.pub_date, copy.closes_at) == (None, None)
    assert Question.objects.with_status().get(pk=copy.pk).status == Status.DRAFT
    assert client.get(copy.get_absolute_url()).status_code == 404
    assert [c.votes for c in original.choices.all()] == [1, 0, 1]
    assert LogEntry.objects.get(object_id=str(copy.pk)).action_flag == ADDITION


def test_duplicating_several_polls_lists_each_copy(editor):
    first, second = make_question(question_text="First"), make_question(question_text="Second")
    response = act(editor, "duplicate", first, second)
    assert Question.objects.filter(question_text="First").count() == 2
    copies = Question.objects.filter(pub_date__isnull=True)
    assert copies.count() == 2
    for message, copy in zip(shown(response), copies.order_by("pk"), strict=True):
        assert message.startswith(
            f'Copied “<span dir="auto">{copy.question_text}</span>” as a draft without votes, hidden from '
            "the public: "
        )
        assert f'<a href="{change_url(copy)}">review it</a>' in message


# Export ------------------------------------------------------------------------------------------


def export(browser, *questions):
    response = act(browser, "export_csv", *questions, follow=False)
    assert response.status_code == 200
    return response, b"".join(response.streaming_content)


def rows_of(body):
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark, for Excel
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def test_the_export_streams_one_row_per_choice_with_whole_percentages(editor):
    colours = make_question(question_text="Colour?", choices=("Red", "Green", "Blue"))
    silent = make_question(question_text="Nobody voted?", choices=("Yes", "No"))
    make_question(question_text="Not selected")
    for text in ("Red", "Green", "Blue"):
        vote(colours, text)
    response, body = export(editor, silent, colours)
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="poll-results-')
    assert rows_of(body) == [
        ["question id", "question", "choice", "votes", "percentage"],
        [str(colours.pk), "Colour?", "Red", "1", "34"],  # thirds that add up to 100
        [str(colours.pk), "Colour?", "Green", "1", "33"],
        [str(colours.pk), "Colour?", "Blue", "1", "33"],
        [str(silent.pk), "Nobody voted?", "Yes", "0", "0"],
        [str(silent.pk), "Nobody voted?", "No", "0", "0"],
    ]


def test_the_export_quotes_commas_quotes_newlines_and_unicode(editor):
    question = make_question(
        question_text='Say "cheese", please\nor not?', choices=("Crème brûlée, s'il vous plaît", "日本語 🍣")
    )
    _, body = export(editor, question)
    assert b'"Say ""cheese"", please\nor not?"' in body
    assert [row[2] for row in rows_of(body)[1:]] == ["Crème brûlée, s'il vous plaît", "日本語 🍣"]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_the_export_defuses_cells_a_spreadsheet_would_run_as_formulas(editor, start):
    question = make_question(
        question_text=f'{start}HYPERLINK("http://evil.example")', choices=(f"{start}1+1", "Plain")
    )
    _, body = export(editor, question)
    first = rows_of(body)[1]
    assert first[1] == f'\'{start}HYPERLINK("http://evil.example")'
    assert first[2] == f"'{start}1+1"
    assert rows_of(body)[2][2] == "Plain"


def test_staff_who_may_only_view_can_export(editor):
    question = make_question()
    vote(question, "No")
    _, body = export(make_editor("view_question", username="viewer"), question)
    assert rows_of(body)[2] == [str(question.pk), question.question_text, "No", "1", "100"]


def test_the_export_reads_every_choice_in_one_query_while_it_streams(editor, django_assert_max_num_queries):
    # One iterator (a server-side cursor on PostgreSQL, CHUNK_SIZE rows per fetch) run as the
    # response is sent: no query per poll, and never the whole export in memory.
    for i in range(30):
        question = make_question(question_text=f"Question {i}", choices=("A", "B", "C"))
    data = {"action": "export_csv", "select_across": "1", "index": "0", "_selected_action": question.pk}
    response = editor.post(QUESTIONS_URL, data)
    with django_assert_max_num_queries(2):
        body = b"".join(response.streaming_content)
    assert len(rows_of(body)) == 1 + 30 * 3


# The model methods on their own ------------------------------------------------------------------


def test_status_agrees_with_is_open_and_is_closed():
    now = timezone.now()
    make_question(question_text="Soon", pub_date=now + HOUR)
    make_question(question_text="Live", closes_at=now + HOUR)
    make_question(question_text="Forever")
    make_question(question_text="Over", pub_date=now - 2 * HOUR, closes_at=now - HOUR)
    for question in Question.objects.with_status():
        expected = Status.OPEN if question.is_open() else Status.CLOSED if question.is_closed() else None
        assert question.status == (expected or Status.SCHEDULED), question.question_text


def test_the_changes_of_state_touch_only_the_polls_they_apply_to():
    now = timezone.now()
    make_question(question_text="Soon", pub_date=now + HOUR)
    make_question(question_text="Live")
    make_question(question_text="Over", pub_date=now - 2 * HOUR, closes_at=now - HOUR)
    assert editing.close_now(Question.objects.all()) == 1
    assert statuses() == {"Soon": Status.SCHEDULED, "Live": Status.CLOSED, "Over": Status.CLOSED}
    assert editing.reopen(Question.objects.all()) == 2
    assert editing.publish_now(Question.objects.all()) == 1
    assert statuses() == {"Soon": Status.OPEN, "Live": Status.OPEN, "Over": Status.OPEN}
    assert editing.publish_now(Question.objects.all()) == 0


def test_a_draft_stays_hidden_until_published_now(editor, client):
    draft = make_question(question_text="Draft", pub_date=None)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert "Draft" not in client.get(reverse("polls:index")).text
    act(editor, "publish_now", draft)
    draft.refresh_from_db()
    assert draft.pub_date is not None
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_publish_now_leaves_a_draft_whose_closing_time_has_passed(editor):
    stale = make_question(question_text="Stale", pub_date=None, closes_at=timezone.now() - HOUR)
    response = act(editor, "publish_now", stale)
    stale.refresh_from_db()
    assert stale.pub_date is None
    assert any("left as it was" in message for message in shown(response))
