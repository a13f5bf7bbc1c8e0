"""
Times in the visitor's zone: UTC (and saying so) until their browser names its zone in the polls_tz
cookie, then that zone, named; `<time datetime>` always the exact instant; anything else in the
cookie is UTC, never an error.
"""

import datetime
import re
import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from mysite.timezones import COOKIE_NAME, zone_named

from .browsing import DESKTOP, PHONE
from .factories import make_question

pytestmark = pytest.mark.django_db

NEW_YORK = "America/New_York"
# 15:30 UTC on December dates, 10:30 in New York (EST, UTC-5): one already past, one always ahead.
CLOSED_AT = datetime.datetime(2024, 12, 10, 15, 30, tzinfo=datetime.UTC)
CLOSES_AT = datetime.datetime(timezone.now().year + 1, 12, 10, 15, 30, tzinfo=datetime.UTC)

# Values a client may put in the cookie that name no zone: each must be UTC, quietly.
NOT_ZONES = {
    "unknown zone": "Mars/Olympus_Mons",
    "empty": "",
    "path out of the zone database": "../../etc/passwd",
    "absolute path": "/etc/passwd",
    "a directory": "America",
    "a file that is not a zone": "zone.tab",
    "not normalized": "America/../America/New_York",
    "ten kilobytes": "A" * 10_000,
    "NUL byte": "America/New_York\x00",
    "markup": "<b>UTC</b>",
    "lower case": "america/new_york",
    "a POSIX copy the database may not know": "posix/America/New_York",
    "a leap-second copy": "right/UTC",
}


@pytest.fixture
def polls():
    """A closed poll and an open one, each with a December closing time at 15:30 UTC."""
    closed = make_question(
        question_text="Which day for the winter party?",
        pub_date=CLOSED_AT - datetime.timedelta(days=9),
        closes_at=CLOSED_AT,
    )
    open_ = make_question(question_text="Which venue next winter?", closes_at=CLOSES_AT)
    return closed, open_


def in_zone(client, zone):
    client.cookies[COOKIE_NAME] = zone
    return client


def pages_of(polls):
    closed, open_ = polls
    return {
        "open list": (reverse("polls:index"), CLOSES_AT),
        "closed list": (reverse("polls:closed"), CLOSED_AT),
        "open poll": (open_.get_absolute_url(), CLOSES_AT),
        "closed poll": (closed.get_absolute_url(), CLOSED_AT),
        "results": (reverse("polls:results", args=[closed.pk]), CLOSED_AT),
    }


def shown_times(html):
    """Each <time> element as (its datetime attribute, its text)."""
    return re.findall(r'<time datetime="([^"]*)">([^<]*)</time>', html)


def iso(instant):
    """The instant as <time datetime> gives it: UTC, with a Z."""
    return instant.isoformat().replace("+00:00", "Z")


def footer(html):
    return re.search(r"Times are shown in ([^.<]+)\.", html).group(1)


@pytest.mark.parametrize("page", ["open list", "closed list", "open poll", "closed poll", "results"])
def test_without_the_cookie_times_are_in_utc_and_say_so(client, polls, page):
    url, instant = pages_of(polls)[page]
    html = client.get(url).text
    assert shown_times(html) == [(iso(instant), f"{instant:%-d %b %Y}, 15:30 UTC")]
    assert footer(html) == "UTC"


@pytest.mark.parametrize("page", ["open list", "closed list", "open poll", "closed poll", "results"])
def test_with_the_cookie_times_are_in_the_browsers_zone_and_name_it(client, polls, page):
    url, instant = pages_of(polls)[page]
    html = in_zone(client, NEW_YORK).get(url).text
    assert shown_times(html) == [(iso(instant), f"{instant:%-d %b %Y}, 10:30 EST")]
    assert footer(html) == NEW_YORK


@pytest.mark.parametrize(
    ("zone", "shown"),
    [("Asia/Kolkata", "21:00 IST"), ("Australia/Sydney", "02:30 AEDT"), ("Etc/GMT+12", "03:30 -12")],
)
def test_time_datetime_is_the_exact_instant_whatever_the_zone(client, polls, zone, shown):
    closed, _ = polls
    html = in_zone(client, zone).get(closed.get_absolute_url()).text
    ((instant, text),) = shown_times(html)
    assert instant == "2024-12-10T15:30:00Z"
    assert datetime.datetime.fromisoformat(instant) == CLOSED_AT
    assert text.endswith(shown)  # Sydney is already on the 11th


@pytest.mark.parametrize("value", NOT_ZONES.values(), ids=NOT_ZONES.keys())
def test_a_cookie_that_names_no_zone_gives_utc_never_an_error(client, polls, value):
    assert zone_named(value) is None
    closed, _ = polls
    # Raw, as a client may send it: no quoting by the test client's cookie jar.
    response = client.get(closed.get_absolute_url(), headers={"Cookie": f"{COOKIE_NAME}={value}"})
    assert response.status_code == 200
    assert shown_times(response.text)[0][1] == "10 Dec 2024, 15:30 UTC"
    assert footer(response.text) == "UTC"
    missing = client.get("/polls/987654/", headers={"Cookie": f"{COOKIE_NAME}={value}"})
    assert missing.status_code == 404
    assert footer(missing.text) == "UTC"


def test_error_pages_name_the_visitors_zone_too(client):
    page = in_zone(client, NEW_YORK).get("/polls/987654/")
    assert page.status_code == 404
    assert footer(page.text) == NEW_YORK


def test_a_fragment_rendered_in_one_zone_is_never_served_in_another(client, polls):
    for url, instant in pages_of(polls).values():
        assert f"{instant:%-d %b %Y}, 15:30 UTC" in client.get(url).text  # now cached, in UTC
        # London's winter clock reads as UTC's: a key that varied only by the local minute would
        # serve UTC's copy here.
        assert "15:30 GMT" in in_zone(client, "Europe/London").get(url).text
        assert "10:30 EST" in in_zone(client, NEW_YORK).get(url).text
        del client.cookies[COOKIE_NAME]
        assert "15:30 UTC" in client.get(url).text


def test_a_request_without_the_cookie_never_inherits_the_zone_of_the_one_before(client, polls):
    closed, _ = polls
    in_zone(client, NEW_YORK).get(closed.get_absolute_url())
    assert timezone.get_current_timezone_name() == "UTC"  # the test's thread served that request
    del client.cookies[COOKIE_NAME]
    assert footer(client.get(closed.get_absolute_url()).text) == "UTC"


def test_the_zone_stays_in_the_browser_the_server_keeps_nothing(client, polls):
    closed, _ = polls
    response = in_zone(client, NEW_YORK).get(closed.get_absolute_url())
    assert COOKIE_NAME not in response.cookies  # the browser's script writes it, not the server
    assert "sessionid" not in response.cookies
    assert Session.objects.count() == 0
    # Browsers and caches keep a copy per cookie, so per zone.
    assert "Cookie" in response["Vary"]


# In Chromium ------------------------------------------------------------------------------------

SCREENSHOTS = settings.BASE_DIR / "artifacts" / "screenshots"


def in_browser(test):
    """Mark a Chromium test; the live server reads the database, so its rows must be committed."""
    return pytest.mark.browser(pytest.mark.django_db(transaction=True)(test))


def cookie_of(page):
    return {cookie["name"]: cookie for cookie in page.context.cookies()}.get(COOKIE_NAME)


@in_browser
def test_a_browser_in_new_york_sees_new_york_times_from_its_second_page(open_page, polls):
    _, open_ = polls
    page = open_page(timezone_id=NEW_YORK)
    page.goto(open_.get_absolute_url())
    # The first page: the server did not know the zone yet, and says so.
    assert page.locator(".poll-status time").inner_text() == f"10 Dec {CLOSES_AT.year}, 15:30 UTC"
    assert page.locator(".site-footer p").inner_text().endswith("Times are shown in UTC.")
    cookie = cookie_of(page)
    assert cookie["value"] == NEW_YORK
    assert (cookie["path"], cookie["sameSite"], cookie["secure"]) == ("/", "Lax", False)  # plain http here
    assert cookie["expires"] - time.time() > 364 * 24 * 3600
    page.goto(reverse("polls:index"))
    card = page.locator(".poll-card time")
    assert card.inner_text() == f"10 Dec {CLOSES_AT.year}, 10:30 EST"
    assert card.get_attribute("datetime") == iso(CLOSES_AT)
    assert page.locator(".site-footer p").inner_text().endswith(f"Times are shown in {NEW_YORK}.")
    page.goto(open_.get_absolute_url())
    assert page.locator(".poll-status time").inner_text() == f"10 Dec {CLOSES_AT.year}, 10:30 EST"


@in_browser
def test_without_javascript_times_stay_in_utc_and_say_so(open_page, polls):
    _, open_ = polls
    page = open_page(timezone_id=NEW_YORK, java_script_enabled=False)
    for _visit in range(2):
        page.goto(open_.get_absolute_url())
        assert page.locator(".poll-status time").inner_text().endswith("15:30 UTC")
        assert page.locator(".site-footer p").inner_text().endswith("Times are shown in UTC.")
    assert cookie_of(page) is None


@in_browser
def test_a_browser_that_moved_to_another_zone_follows_it_from_the_next_page(open_page, live_server, polls):
    closed, _ = polls
    page = open_page(timezone_id=NEW_YORK)
    page.context.add_cookies([{"name": COOKIE_NAME, "value": "Europe/Paris", "url": live_server.url}])
    page.goto(closed.get_absolute_url())
    assert page.locator(".poll-status time").inner_text() == "10 Dec 2024, 16:30 CET"
    assert cookie_of(page)["value"] == NEW_YORK
    page.reload()
    assert page.locator(".poll-status time").inner_text() == "10 Dec 2024, 10:30 EST"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@in_browser
def test_screenshots_of_a_poll_with_its_closing_time_in_new_york(open_page, polls, viewport, scheme):
    _, open_ = polls
    page = open_page(timezone_id=NEW_YORK, viewport=viewport, color_scheme=scheme)
    page.goto(open_.get_absolute_url())
    page.reload()
    assert "10:30 EST" in page.locator(".poll-status").inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"time-zone-{viewport['width']}-{scheme}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


@in_browser
def test_a_browser_without_intl_gets_utc_and_no_script_error(open_page, polls):
    _, open_ = polls
    page = open_page(timezone_id=NEW_YORK)
    page.add_init_script("delete window.Intl")
    for _visit in range(2):
        page.goto(open_.get_absolute_url())
        assert page.locator(".poll-status time").inner_text().endswith("15:30 UTC")
    assert cookie_of(page) is None  # and open_page saw no script error
