"""Simulated browsers: a cookie jar each, a router in front of the servers, people's ways of voting.

Each browser reads the form for its CSRF token and votes the way people do: once, twice (the back
button and submit again), with a double-click (two POSTs at once) or by changing its mind.
"""

import random
import re
import threading
from collections import Counter
from dataclasses import dataclass, field

import requests

from polls.voter import COOKIE_NAME

# What every browser believes it talks to: one HTTPS site. The router forwards to plain HTTP on
# loopback with the Host, X-Forwarded-Proto and X-Forwarded-For that Heroku's router sets, so the
# servers run their production settings (SSL redirect, Secure cookies, strict CSRF origin checks,
# the vote rate limit per client address).
HOST = "127.0.0.1"
ORIGIN = f"https://{HOST}"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
MESSAGE = re.compile(r'<p class="message message-\w+">(.*?)</p>')
# How people vote, and how often: (kind, weight).
KINDS = [("once", 55), ("resubmit", 15), ("double_click", 15), ("change", 15)]


@dataclass
class Voter:
    """One simulated person: what they will do, and what the site told them."""

    kind: str
    picks: list  # choice ids in the order they are submitted
    voter_id: str = ""  # from the signed cookie the site gave the browser
    confirmed: int | None = None  # the choice of the last vote the site confirmed
    unanswered: int | None = None  # a vote sent whose answer never came (its worker was killed)
    problems: list = field(default_factory=list)  # anything the person should not have seen


class Traffic:
    """Requests, answers by status and by server, shared by every browser (thread-safe)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.statuses, self.servers, self.connection_errors = Counter(), Counter(), 0

    def record(self, server, status):
        with self.lock:
            self.statuses[status] += 1
            self.servers[server.port] += 1

    def lost_connection(self):
        with self.lock:
            self.connection_errors += 1


class LoopbackCookieJar(requests.cookies.RequestsCookieJar):
    """
    A cookie jar that sends Secure cookies to http://127.0.0.1, as browsers do.

    Browsers count loopback as a secure context; requests does not, and would silently drop the
    site's Secure cookies (CSRF, voter, messages). These servers are only ever on 127.0.0.1.
    """

    def set_cookie(self, cookie, *args, **kwargs):
        cookie.secure = False
        return super().set_cookie(cookie, *args, **kwargs)


class Browser:
    """A browser with its own cookie jar, behind a router that picks a server per request."""

    def __init__(self, servers, traffic, seed):
        self.servers, self.traffic, self.rng = servers, traffic, random.Random(seed)
        self.session = requests.Session()
        self.session.cookies = LoopbackCookieJar()
        # Each browser is its own client to the router, which appends the address it saw.
        address = f"10.{self.rng.randrange(256)}.{self.rng.randrange(256)}.{self.rng.randrange(1, 255)}"
        self.session.headers.update({"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": address})

    def request(self, method, path, server=None, **kwargs):
        server = server or self.rng.choice(self.servers)
        try:
            response = self.session.request(
                method, server.url + path, allow_redirects=False, timeout=60, **kwargs
            )
        except requests.ConnectionError:
            self.traffic.lost_connection()
            raise
        self.traffic.record(server, response.status_code)
        return response

    def open_form(self, question_id, server=None):
        """GET the poll's page; return (page text, CSRF token)."""
        page = self.request("GET", f"/polls/{question_id}/", server)
        token = TOKEN.search(page.text)
        if page.status_code != 200 or token is None:
            raise AssertionError(f"the poll's page answered {page.status_code} without a form")
        return page.text, token.group(1)

    def submit(self, question_id, token, choice_id, server=None):
        """POST a vote as the form does; return the redirect's target path."""
        response = self.request(
            "POST",
            f"/polls/{question_id}/vote/",
            server,
            data={"csrfmiddlewaretoken": token, "choice": choice_id, "website": ""},
            headers={"Origin": ORIGIN, "Referer": f"{ORIGIN}/polls/{question_id}/"},
        )
        if response.status_code != 302:
            raise AssertionError(f"a vote answered {response.status_code}")
        return response.headers["Location"]

    def messages(self, path, server=None):
        """GET the page a vote redirected to; return the messages it shows, as kinds."""
        return [message_kind(text) for text in MESSAGE.findall(self.request("GET", path, server).text)]

    def voter_id(self):
        signed = self.session.cookies.get(COOKIE_NAME, domain=HOST) or ""
        return signed.split(":", 1)[0]


def message_kind(text):
    for kind, words in (("counted", "was counted"), ("already", "already voted"), ("changed", "was changed")):
        if words in text:
            return kind
    return text


def plan(rng, choice_ids):
    kind = rng.choices([k for k, _ in KINDS], weights=[w for _, w in KINDS])[0]
    first = rng.choice(choice_ids)
    if kind == "change":
        return Voter(kind, [first, rng.choice([c for c in choice_ids if c != first])])
    return Voter(kind, [first] if kind == "once" else [first, first])


def vote(browser, voter, question_id):
    """Play one person's visit; record what the site confirmed and anything that went wrong."""
    _, token = browser.open_form(question_id)
    voter.voter_id = browser.voter_id()
    if not voter.voter_id:
        voter.problems.append("the poll's form came without a voter cookie")
    first, last = voter.picks[0], voter.picks[-1]
    if voter.kind == "double_click":
        _double_click(browser, voter, question_id, token)
        return
    _expect(voter, browser, question_id, token, first, ["counted"])
    if voter.kind == "resubmit":
        _expect(voter, browser, question_id, token, last, ["already"])
    elif voter.kind == "change":
        page, token = browser.open_form(question_id)
        if "Change vote" not in page:
            voter.problems.append("the poll's page did not offer “Change vote” after voting")
        _expect(voter, browser, question_id, token, last, ["changed"])


def _expect(voter, browser, question_id, token, choice_id, messages):
    voter.unanswered = choice_id
    target = browser.submit(question_id, token, choice_id)
    voter.confirmed, voter.unanswered = choice_id, None
    if (shown := browser.messages(target)) != messages:
        voter.problems.append(f"expected {messages}, saw {shown}")


def _double_click(browser, voter, question_id, token):
    """Two POSTs of one form at once; the browser shows whichever answer comes last."""
    choice_id = voter.picks[0]
    voter.unanswered = choice_id
    targets, gate = [], threading.Barrier(2)

    def click():
        gate.wait(timeout=30)
        try:
            targets.append(browser.submit(question_id, token, choice_id))
        except (AssertionError, requests.ConnectionError) as error:
            voter.problems.append(problem(error))

    second = threading.Thread(target=click)
    second.start()
    click()
    second.join()
    if targets:  # one answer is enough to know the vote is in
        voter.confirmed = choice_id
    if len(targets) == 2:
        voter.unanswered = None
        shown = browser.messages(targets[-1])
        if not shown or not set(shown) <= {"counted", "already"}:
            voter.problems.append(f"a double-click showed {shown}")


def problem(error):
    """What a person would report: a lost connection, or the page that should not have been."""
    if isinstance(error, requests.ConnectionError):
        return f"connection lost: {error.__class__.__name__}"
    return str(error)
