"""The admin as editors meet it: the question list, the question form, permissions, branding."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from polls.models import Choice, Question
from polls.voting import cast_vote

from .admin_helpers import (
    ADD_URL,
    QUESTIONS_URL,
    change_url,
    errors_of,
    existing,
    make_editor,
    question_data,
)
from .factories import make_browser, make_question, make_voter

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def editor():
    return make_editor(superuser=True)


def voted(question, text, times=1):
    choice = question.choices.get(choice_text=text)
    for _ in range(times):
        cast_vote(question=question, choices=[choice], voter=make_voter())
    return choice


# The list ----------------------------------------------------------------------------------------


def test_the_list_shows_status_times_choices_and_ballots(editor):
    now = timezone.now()
    make_question(question_text="Soon", pub_date=now + HOUR)
    running = make_question(question_text="Running", choices=("A", "B", "C"))
    make_question(question_text="Over", pub_date=now - 3 * HOUR, closes_at=now - HOUR)
    voted(running, "A", times=2)
    response = editor.get(QUESTIONS_URL)
    assert response.status_code == 200
    rows = {q.question_text: q for q in response.context["cl"].result_list}
    assert {text: q.status for text, q in rows.items()} == {
        "Soon": "scheduled",
        "Running": "open",
        "Over": "closed",
    }
    assert rows["Running"].choice_count == 3
    html = response.text
    for header in ("Status", "Publish at", "Closes at", "Choices", "Ballots"):
        assert f">{header}</a>" in html or f">{header}</span>" in html
    assert '<td class="field-voter_count">2</td>' in html


@pytest.mark.parametrize(
    ("status", "listed"), [("scheduled", "Soon"), ("open", "Running"), ("closed", "Over")]
)
def test_the_list_filters_by_status(editor, status, listed):
    now = timezone.now()
    make_question(question_text="Soon", pub_date=now + HOUR)
    make_question(question_text="Running")
    make_question(question_text="Over", pub_date=now - 3 * HOUR, closes_at=now - HOUR)
    response = editor.get(QUESTIONS_URL, {"status": status})
    assert [q.question_text for q in response.context["cl"].result_list] == [listed]


def test_the_list_filters_by_date_and_has_a_date_hierarchy(editor):
    now = timezone.now()
    make_question(question_text="Last year", pub_date=now.replace(year=now.year - 1))
    make_question(question_text="Today")
    by_year = editor.get(QUESTIONS_URL, {"pub_date__year": now.year - 1})
    assert [q.question_text for q in by_year.context["cl"].result_list] == ["Last year"]
    recent = editor.get(QUESTIONS_URL, {"pub_date__gte": str(now - datetime.timedelta(days=7))})
    assert [q.question_text for q in recent.context["cl"].result_list] == ["Today"]
    assert 'aria-labelledby="date-hierarchy-label"' in editor.get(QUESTIONS_URL).text


def test_search_finds_questions_by_their_text_or_a_choice_once_each(editor):
    make_question(question_text="Favourite fruit?", choices=("Apple pie", "Apple", "Pear"))
    make_question(question_text="Apple or Microsoft?", choices=("Mac", "PC"))
    make_question(question_text="Tea or coffee?", choices=("Tea", "Coffee"))
    response = editor.get(QUESTIONS_URL, {"q": "apple"})
    found = [(q.question_text, q.choice_count) for q in response.context["cl"].result_list]
    # Two matching choices do not list the question twice nor inflate its number of choices.
    assert sorted(found) == [("Apple or Microsoft?", 2), ("Favourite fruit?", 3)]


@pytest.mark.parametrize("size", [5, 50])
def test_the_list_runs_a_constant_number_of_queries(editor, size, django_assert_max_num_queries):
    # Session, user, the filtered and the full count, one page of annotated questions, and the
    # date hierarchy's range and days: 7 at both sizes; a query per row would add 50.
    for i in range(size):
        question = make_question(question_text=f"Question {i}", choices=("A", "B", "C"))
        if i % 2:
            voted(question, "B")
    with django_assert_max_num_queries(7):
        response = editor.get(QUESTIONS_URL)
    assert len(response.context["cl"].result_list) == size


def test_view_on_site_only_for_questions_the_public_can_see(editor):
    public = make_question(question_text="Public")
    make_question(question_text="Later", pub_date=timezone.now() + HOUR)
    html = editor.get(QUESTIONS_URL).text
    assert html.count("View on site") == 1
    assert f'href="{public.get_absolute_url()}"' in html
    assert f'href="{public.get_absolute_url()}"' in editor.get(change_url(public)).text


# The form ----------------------------------------------------------------------------------------


def test_an_editor_creates_a_poll_with_three_choices_that_appears_on_the_site(editor, client):
    choices = [{"choice_text": "Red", "position": 2}, {"choice_text": "Green"}, {"choice_text": "Blue"}]
    data = question_data(choices, question_text="Which colour?")
    data["choices-0-position"], data["choices-1-position"], data["choices-2-position"] = "3", "1", "2"
    response = editor.post(ADD_URL, data)
    assert response.status_code == 302, errors_of(response)
    question = Question.objects.get(question_text="Which colour?")
    assert [c.choice_text for c in question.choices.all()] == ["Green", "Blue", "Red"]
    page = client.get(reverse("polls:index")).text
    assert "Which colour?" in page
    assert client.get(question.get_absolute_url()).status_code == 200


def test_the_form_offers_three_blank_choices_for_a_new_poll(editor):
    formset = editor.get(ADD_URL).context["inline_admin_formsets"][0].formset
    assert formset.total_form_count() == 3


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        ([], "A poll needs at least two choices; this one has 0."),
        ([{"choice_text": "Only"}], "A poll needs at least two choices; this one has 1."),
        (
            [{"choice_text": "Yes"}, {"choice_text": "  yes "}],
            "“Yes” and “yes” are the same choice; keep only one.",
        ),
        ([{"choice_text": "Yes"}, {"choice_text": ""}, {"choice_text": "No"}], None),
    ],
    ids=["no choice", "one choice", "same choice twice", "blank rows are ignored"],
)
def test_a_poll_needs_two_different_choices(editor, choices, message):
    response = editor.post(ADD_URL, question_data(choices))
    if message is None:
        assert response.status_code == 302
        assert Choice.objects.count() == 2
        return
    assert message in errors_of(response)
    assert not Question.objects.exists()


def test_every_mistake_in_the_question_gets_a_message(editor):
    now = timezone.now()
    data = question_data(
        [{"choice_text": "A"}, {"choice_text": "B"}],
        question_text="",
        pub_date=now,
        closes_at=now - HOUR,
        results_visibility="whenever",
    )
    data["max_choices"] = "0"
    errors = errors_of(editor.post(ADD_URL, data))
    assert "This field is required." in errors
    assert "The closing time must come after the publish time." in errors
    assert "Ensure this value is greater than or equal to 1." in errors
    assert "Select a valid choice. whenever is not one of the available choices." in errors
    assert not Question.objects.exists()


def test_a_voter_cannot_be_allowed_more_picks_than_there_are_choices(editor):
    data = question_data([{"choice_text": "A"}, {"choice_text": "B"}], max_choices=3)
    message = (
        "Voters may pick up to 3 choices but the poll offers only 2: "
        "lower “choices a voter may pick” or add choices."
    )
    assert message in errors_of(editor.post(ADD_URL, data))


def test_the_pick_limit_cannot_drop_below_what_ballots_already_hold(editor):
    question = make_question(choices=("A", "B", "C"), max_choices=3)
    assert question.largest_ballot() == 0
    cast_vote(question=question, choices=list(question.choices.all()[:2]), voter=make_voter())
    assert question.largest_ballot() == 2
    message = (
        "Ballots already hold up to 2 choices; a lower limit would make them invalid. "
        "Duplicate the poll to run it with fewer picks."
    )
    assert message in errors_of(editor.post(change_url(question), question_data(existing(question))))
    response = editor.post(change_url(question), question_data(existing(question), max_choices=2))
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.max_choices == 2


def test_a_choice_with_votes_cannot_be_renamed(editor):
    question = make_question(choices=("Yes", "No"))
    voted(question, "Yes", times=2)
    data = question_data(existing(question, Yes={"choice_text": "Absolutely"}))
    message = (
        "“Yes” already has 2 vote(s): new words would change what those voters chose. "
        "Keep the text, or add a new choice instead."
    )
    assert message in errors_of(editor.post(change_url(question), data))
    assert question.choices.filter(choice_text="Yes").exists()


def test_a_choice_with_votes_cannot_be_deleted(editor):
    question = make_question(choices=("Yes", "No", "Maybe"))
    voted(question, "Maybe")
    data = question_data(existing(question, Maybe={"DELETE": True}))
    message = (
        "“Maybe” cannot be deleted: it holds 1 vote(s) and those ballots would lose it. "
        "Close the poll, or duplicate it to start over."
    )
    assert message in errors_of(editor.post(change_url(question), data))
    assert question.choices.count() == 3


def test_the_vote_rows_block_the_delete_even_when_the_counter_reads_zero(editor):
    # Defence in depth: the admin's own check walks the Vote rows (Vote.choice is RESTRICT), so a
    # counter out of step with them (a vote that arrived as the form loaded) cannot lose a vote.
    question = make_question(choices=("Yes", "No", "Maybe"))
    maybe = voted(question, "Maybe")
    Choice.objects.filter(pk=maybe.pk).update(votes=0)
    data = question_data(existing(question, Maybe={"DELETE": True}))
    message = (
        "Deleting choice Maybe would require deleting the following protected related objects: "
        "vote Maybe on ballot "
    )
    assert any(error.startswith(message) for error in errors_of(editor.post(change_url(question), data)))
    assert question.choices.count() == 3


def test_choices_without_votes_can_be_renamed_deleted_and_any_choice_reordered(editor):
    question = make_question(choices=("Yes", "No", "Maybe"))
    voted(question, "Yes")
    changes = {"Yes": {"position": 9}, "No": {"choice_text": "Nope"}, "Maybe": {"DELETE": True}}
    response = editor.post(change_url(question), question_data(existing(question, **changes)))
    assert response.status_code == 302, errors_of(response)
    assert [(c.choice_text, c.votes) for c in question.choices.all()] == [("Nope", 0), ("Yes", 1)]


def test_a_whole_question_with_its_ballots_can_be_deleted(editor):
    # Vote's RESTRICT guards single choices only; the question takes ballots and votes with it.
    question = make_question()
    voted(question, "Yes", times=2)
    url = reverse("admin:polls_question_delete", args=[question.pk])
    assert "Ballots: 2" in editor.get(url).text
    assert editor.post(url, {"post": "yes"}).status_code == 302
    assert not Question.objects.exists()
    assert not Choice.objects.exists()


def test_counters_are_read_only(editor):
    question = make_question()
    voted(question, "Yes", times=3)
    html = editor.get(change_url(question)).text
    assert not re.search(r'name="(voter_count|revision|choices-\d-votes)"', html)
    assert '<div class="readonly">3</div>' in html  # the ballots, shown, not typed
    data = question_data(existing(question))
    data |= {"voter_count": "999", "choices-0-votes": "999", "choices-1-votes": "999"}
    assert editor.post(change_url(question), data).status_code == 302
    question.refresh_from_db()
    assert question.voter_count == 3
    assert [c.votes for c in question.choices.all()] == [3, 0]


# Who may do what ---------------------------------------------------------------------------------


def test_visitors_and_users_who_are_not_staff_are_sent_to_the_login_page(client):
    question = make_question()
    member = make_editor(staff=False)
    for browser in (client, member):
        for url in (reverse("admin:index"), QUESTIONS_URL, change_url(question)):
            response = browser.get(url)
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("admin:login") + "?next=")


def test_staff_without_the_change_permission_can_look_but_not_edit(client):
    question = make_question(question_text="Untouched")
    viewer = make_editor("view_question")
    page = viewer.get(change_url(question))
    assert page.status_code == 200
    assert 'name="question_text"' not in page.text
    data = question_data(existing(question), question_text="Edited")
    assert viewer.post(change_url(question), data).status_code == 403
    assert viewer.get(ADD_URL).status_code == 403
    question.refresh_from_db()
    assert question.question_text == "Untouched"
    # Only the export is offered; the actions that change polls are not.
    actions = viewer.get(QUESTIONS_URL).context["action_form"].fields["action"].choices
    assert [name for name, _ in actions if name] == ["export_csv"]


def test_staff_without_any_poll_permission_is_refused_the_questions(client):
    question = make_question()
    nobody = make_editor()
    assert nobody.get(QUESTIONS_URL).status_code == 403
    assert nobody.get(change_url(question)).status_code == 403
    assert "Recent activity" not in nobody.get(reverse("admin:index")).text


def test_the_first_admin_can_be_created_without_a_terminal(monkeypatch):
    # The Heroku path in the README: environment variables and createsuperuser --noinput.
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "first")
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "first@example.com")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a long and unusual passphrase")
    call_command("createsuperuser", "--noinput", verbosity=0)
    browser = make_browser()
    assert browser.login(username="first", password="a long and unusual passphrase")
    assert browser.get(QUESTIONS_URL).status_code == 200


# The frame ---------------------------------------------------------------------------------------


def test_the_admin_is_branded_and_links_back_to_the_site(client, editor):
    login = client.get(reverse("admin:login"))
    for page in (login, editor.get(reverse("admin:index"))):
        assert "Polls administration" in page.text
        assert f'href="{reverse("polls:index")}"' in page.text


def test_the_index_shows_recent_activity(editor):
    now = timezone.now()
    voted(make_question(question_text="Busy poll"), "Yes")
    make_question(question_text="Coming poll", pub_date=now + HOUR)
    make_question(question_text="Ending poll", closes_at=now + HOUR)
    html = editor.get(reverse("admin:index")).text
    activity = html[html.index('id="polls-activity"') :]
    for caption, question in [
        ("Latest ballots", "Busy poll"),
        ("Published lately", "Ending poll"),
        ("Opening next", "Coming poll"),
        ("Closing next", "Ending poll"),
    ]:
        section = activity[activity.index(f"<caption>{caption}</caption>") :]
        assert question in section[: section.index("</table>")]


def test_admin_pages_add_no_inline_script_or_style(editor):
    # The site's Content-Security-Policy allows scripts and styles from files only.
    question = make_question()
    for url in (reverse("admin:index"), QUESTIONS_URL, ADD_URL, change_url(question)):
        response = editor.get(url)
        assert "script-src 'self'" in response["Content-Security-Policy"]
        assert not re.search(r"<script(?![^>]*\b(src|type=\"application/json\"))[^>]*>", response.text)
        assert not re.search(r"<style|\sstyle=", response.text)
