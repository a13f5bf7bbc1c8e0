"""Editors see and type times in their own zone (the polls_tz cookie), named next to every time field."""

import datetime
import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from mysite.timezones import COOKIE_NAME
from polls.models import Question

from .admin_helpers import QUESTIONS_URL, change_url, errors_of, existing, question_data
from .browsing import submit
from .factories import make_question

pytestmark = pytest.mark.django_db

NEW_YORK = "America/New_York"
SCREENSHOTS = settings.BASE_DIR / "artifacts" / "screenshots"
NEXT_YEAR = timezone.now().year + 1
# 15:30 UTC on a December day: 10:30 in New York (EST, UTC-5).
CLOSES_AT = datetime.datetime(NEXT_YEAR, 12, 10, 15, 30, tzinfo=datetime.UTC)


@pytest.fixture
def question():
    return make_question(question_text="Which venue next winter?", closes_at=CLOSES_AT)


def in_zone(client, zone):
    client.cookies[COOKIE_NAME] = zone
    return client


def input_value(html, name):
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def help_text(html, field):
    return re.search(rf'id="id_{field}_helptext">\s*<div>([^<]*)</div>', html).group(1)


def test_the_change_form_shows_times_in_the_editors_zone_and_names_it(editor, question):
    html = in_zone(editor, NEW_YORK).get(change_url(question)).text
    assert input_value(html, "closes_at_0") == f"{NEXT_YEAR}-12-10"
    assert input_value(html, "closes_at_1") == "10:30:00"
    assert help_text(html, "closes_at") == "Leave empty to keep the poll open. Times in America/New_York."
    assert help_text(html, "pub_date").endswith(" Times in America/New_York.")
    assert "Times are shown in America/New_York." in html  # the footer, under the change list too
    # The browser's offset now matches the page's, so Django's "You are 5 hours behind" stays away.
    assert 'data-admin-utc-offset="-18000"' in html


@pytest.mark.parametrize(("zone", "saved"), [(NEW_YORK, CLOSES_AT), (None, CLOSES_AT.replace(hour=10))])
def test_a_time_typed_in_the_editors_zone_is_stored_as_that_instant(editor, question, zone, saved):
    if zone:
        in_zone(editor, zone)
    data = question_data(existing(question), question_text=question.question_text)
    data["closes_at_0"], data["closes_at_1"] = f"{NEXT_YEAR}-12-10", "10:30"
    response = editor.post(change_url(question), data)
    assert response.status_code == 302, errors_of(response)
    question.refresh_from_db()
    assert question.closes_at == saved


def test_the_change_list_shows_times_in_the_editors_zone(editor, question):
    row = in_zone(editor, NEW_YORK).get(QUESTIONS_URL).text.split('class="field-closes_at', 1)[1]
    cell = row.split("</td>", 1)[0]
    assert "10:30" in cell
    assert "3:30" not in cell


def test_the_admin_index_activity_is_in_the_editors_zone(editor, question):
    html = in_zone(editor, NEW_YORK).get("/admin/").text
    assert f'<time datetime="{NEXT_YEAR}-12-10T15:30:00Z">10 Dec {NEXT_YEAR}, 10:30 EST</time>' in html


@pytest.mark.parametrize("value", ["Nowhere/Special", "../../etc/passwd", "x" * 10_000, "UTC\x00"])
def test_a_cookie_that_names_no_zone_gives_the_admin_in_utc(editor, question, value):
    # Raw, as a client may send it, beside the editor's session cookie.
    jar = "; ".join(f"{cookie.key}={cookie.coded_value}" for cookie in editor.cookies.values())
    response = editor.get(change_url(question), headers={"Cookie": f"{jar}; {COOKIE_NAME}={value}"})
    assert response.status_code == 200
    assert input_value(response.text, "closes_at_1") == "15:30:00"
    assert help_text(response.text, "closes_at").endswith(" Times in UTC.")
    assert Question.objects.get().closes_at == CLOSES_AT


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_editor_in_new_york_is_not_told_about_an_offset_once_the_zone_is_known(open_page, live_server):
    question = make_question(question_text="Which venue next winter?", closes_at=CLOSES_AT)
    get_user_model().objects.create_superuser("editor", password="correct horse battery")
    page = open_page(timezone_id=NEW_YORK)
    page.goto(reverse("admin:login"))
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill("correct horse battery")
    submit(page, "Log in")
    # A cookie from before a journey: this page is rendered in UTC, the browser is in New York.
    page.context.add_cookies([{"name": COOKIE_NAME, "value": "UTC", "url": live_server.url}])
    page.goto(change_url(question))
    assert page.locator("#id_closes_at_1").input_value() == "15:30:00"
    warning = page.locator(".timezonewarning").first
    assert "You are 5 hours behind" in warning.inner_text()
    page.reload()  # the script has written the browser's zone meanwhile
    assert page.locator("#id_closes_at_1").input_value() == "10:30:00"
    assert page.locator(".timezonewarning").count() == 0
    assert page.locator("#id_closes_at_helptext").inner_text().endswith("Times in America/New_York.")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "time-zone-admin-1280-light.png", full_page=True)
