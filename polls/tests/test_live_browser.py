"""Live results and the embed in Chromium: votes appear by themselves, and another site's frame votes once."""

import re
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from polls.models import Question

from .browsing import submit, vote_for
from .factories import make_question

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Set on the page by the test: a reload would lose it.
SAME_DOCUMENT = "window.sameDocument = true; window.cspViolations = [];"
WATCH_CSP = """document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(event.violatedDirective);
});"""


@pytest.fixture
def poll():
    return make_question(question_text="Which colour should the new logo be?", choices=("Teal", "Plum"))


def tally_url(question):
    return reverse("polls:live_tally", args=[question.pk])


def row(page, choice):
    return page.get_by_role("row").filter(has_text=choice)


def test_an_open_results_page_shows_votes_from_another_browser_within_5_seconds(open_page, poll):
    page = open_page()
    page.goto(reverse("polls:results", args=[poll.pk]))
    expect(page.get_by_text("No votes yet.")).to_be_visible()
    page.evaluate(SAME_DOCUMENT)
    page.evaluate(WATCH_CSP)
    other = open_page()
    other.goto(poll.get_absolute_url())
    vote_for(other, "Plum")
    voted = time.monotonic()
    expect(row(page, "Plum")).to_contain_text("100%", timeout=5_000)
    assert time.monotonic() - voted < 5
    expect(page.locator("caption")).to_contain_text("1 voter")
    expect(row(page, "Plum")).to_contain_text("Leading")
    expect(row(page, "Plum")).not_to_contain_text("Your vote")  # the other browser's ballot
    expect(page.locator(".live-summary")).to_have_text("1 voter; leading: Plum.")
    assert page.evaluate("window.sameDocument") is True
    assert page.evaluate("window.cspViolations") == []


def test_the_voters_own_page_marks_their_vote_as_others_vote_after_them(open_page, poll):
    page = open_page()
    page.goto(poll.get_absolute_url())
    vote_for(page, "Teal")
    page.evaluate(SAME_DOCUMENT)
    other = open_page()
    other.goto(poll.get_absolute_url())
    vote_for(other, "Plum")
    expect(page.locator("caption")).to_contain_text("2 voters; a tie for first place", timeout=5_000)
    expect(row(page, "Teal")).to_contain_text("Your vote")
    expect(row(page, "Plum")).not_to_contain_text("Your vote")
    assert page.evaluate("window.sameDocument") is True


def requests_to(page, path):
    """A list that fills with the page's requests for `path`."""
    seen = []
    page.on("request", lambda request: seen.append(request) if urlsplit(request.url).path == path else None)
    return seen


def test_polling_asks_often_while_open_and_seldom_once_closed(open_page, poll):
    page = open_page()
    asked = requests_to(page, tally_url(poll))
    page.goto(reverse("polls:results", args=[poll.pk]))
    page.wait_for_timeout(6_000)
    assert 1 <= len(asked) <= 3  # every 2.5 s
    Question.objects.filter(pk=poll.pk).update(closes_at=timezone.now())
    closed = open_page()
    asked_closed = requests_to(closed, tally_url(poll))
    closed.goto(reverse("polls:results", args=[poll.pk]))
    closed.wait_for_timeout(6_000)
    assert asked_closed == []  # a minute apart: nothing more is coming


# What a browser reports when the tab goes behind another (or comes back), as a page script sees it.
SHOW_AS = """state => {
  Object.defineProperty(document, "visibilityState", {configurable: true, get: () => state});
  document.dispatchEvent(new Event("visibilitychange"));
}"""


def test_polling_slows_down_in_a_hidden_tab_and_catches_up_when_shown(open_page, poll):
    page = open_page()
    asked = requests_to(page, tally_url(poll))
    page.goto(reverse("polls:results", args=[poll.pk]))
    page.evaluate(SHOW_AS, "hidden")
    page.wait_for_timeout(9_000)
    assert len(asked) == 1  # the ask already due at 2.5 s; the next would come 30 s later
    page.evaluate(SHOW_AS, "visible")
    page.wait_for_timeout(1_000)
    assert len(asked) == 2  # back on screen: at once


def test_polling_backs_off_on_errors_and_stops_when_the_results_go(new_context, poll):
    page = new_context().new_page()
    asked = requests_to(page, tally_url(poll))
    page.route(f"**{tally_url(poll)}", lambda route: route.fulfill(status=503, body="down"))
    page.goto(reverse("polls:results", args=[poll.pk]))
    page.wait_for_timeout(9_000)
    assert len(asked) == 2  # at 2.5 s, then 5 s later; the next would come 10 s after that
    gone = new_context().new_page()
    asked_gone = requests_to(gone, tally_url(poll))
    gone.route(f"**{tally_url(poll)}", lambda route: route.fulfill(status=404, body="gone"))
    gone.goto(reverse("polls:results", args=[poll.pk]))
    gone.wait_for_timeout(6_000)
    assert len(asked_gone) == 1


class _HostPage(SimpleHTTPRequestHandler):
    """Another site's page that embeds a poll: the HTML given to the server, at any path."""

    def __init__(self, *args, html, **kwargs):
        self.html = html
        super().__init__(*args, **kwargs)

    def do_GET(self):
        body = self.html.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def other_site():
    """Serve a page on 127.0.0.1, another site than the live server's localhost; yield its setter."""
    page = {"html": ""}
    server = ThreadingHTTPServer(("127.0.0.1", 0), lambda *args: _HostPage(*args, html=page["html"]))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def serve(html):
        page["html"] = html
        return f"http://127.0.0.1:{server.server_port}/blog/"

    yield serve
    server.shutdown()
    server.server_close()


def test_a_vote_from_an_embed_on_another_site_counts_once(open_page, poll, other_site):
    page = open_page()
    page.goto(poll.get_absolute_url())
    code = page.get_by_label("Embed this poll on your site").input_value()  # as a blogger copies it
    assert urlsplit(re.search(r'src="([^"]+)"', code).group(1)).hostname == "localhost"
    page.context.clear_cookies()  # a visitor of the blog who never saw the poll
    page.goto(other_site(f"<!doctype html><html lang=en><title>A blog</title><h1>My blog</h1>{code}"))
    frame = page.frame_locator("iframe")
    expect(frame.get_by_role("heading", name=poll.question_text)).to_be_visible()
    height = int(re.search(r'height="(\d+)"', code).group(1))
    used = frame.locator("main").evaluate("main => main.getBoundingClientRect().bottom")
    assert used <= height  # the frame shows the whole poll, with no scrollbar
    for attempt in ("Vote", "Change vote"):  # the second time from the same browser: still one ballot
        frame.get_by_label("Plum").check()
        with page.context.expect_page() as opened:
            frame.get_by_role("button", name="Vote").click()
        tab = opened.value
        tab.wait_for_load_state()
        assert urlsplit(tab.url).hostname == "localhost"
        expect(tab.get_by_label("Plum")).to_be_checked()
        expect(tab.get_by_role("status")).to_contain_text(f"press “{attempt}” to count it")
        submit(tab, attempt)
        expect(row(tab, "Plum")).to_contain_text("Your vote")
        tab.close()
    poll.refresh_from_db()
    assert poll.voter_count == 1
    assert dict(poll.choices.values_list("choice_text", "votes")) == {"Teal": 0, "Plum": 1}
