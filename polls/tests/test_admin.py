"""The admin as editors meet it: the question list, permissions, the first account, branding."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from .admin_helpers import (
    ADD_URL,
    QUESTIONS_URL,
    change_url,
    existing,
    make_editor,
    question_data,
    voted,
)
from .factories import make_browser, make_question

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


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


@pytest.mark.django_db(transaction=True)  # as in production: no transaction unless a view opens one
def test_a_post_to_a_question_history_is_answered_like_a_get():
    # Only the views that save lock the question; the history page saves nothing and opens no
    # transaction, where taking a row lock would be an error (a 500).
    question = make_question()
    editor = make_editor(superuser=True)
    response = editor.post(reverse("admin:polls_question_history", args=[question.pk]))
    assert response.status_code == 200
    assert "Change history" in response.text
