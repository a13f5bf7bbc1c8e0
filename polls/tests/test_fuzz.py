"""
Property-based fuzzing: over 10,000 generated requests across every public endpoint, none answers
5xx or shows a traceback, and afterwards every counter still equals the rows it counts.

Each Hypothesis example is a batch of requests (cheaper than one request per example), drawn from
methods, paths, ids, query strings, bodies, content types, invalid UTF-8, cookies and client
addresses. Votes are mostly well-formed, so the database really changes while the noise arrives.
"""

import collections
import datetime

import pytest
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from polls.models import Ballot, ResultsVisibility
from polls.voter import remember_voter

from .factories import make_question, make_voter
from .invariants import assert_counts_consistent

pytestmark = pytest.mark.django_db

EXAMPLES, BATCH = 1_050, 10  # 10,500 requests
LATIN1 = st.characters(min_codepoint=1, max_codepoint=255)
HOSTILE = [
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "\x00",
    "𝕦𝕟𝕚𝕔𝕠𝕕𝕖",
    "%s%n",
    "{{7*7}}",
]


def signed_voter(voter):
    response = HttpResponse()
    remember_voter(response, voter)
    return response.cookies["voter"].value


class Site:
    """The polls the fuzzer aims at: open, multiple-choice, closed, results-after-vote."""

    def __init__(self):
        now = timezone.now()
        self.questions = [
            make_question(question_text="Open?"),
            make_question(question_text="Several?", choices=("A", "B", "C", "D"), max_choices=2),
            make_question(question_text="Closed?", closes_at=now - datetime.timedelta(minutes=1),
                          pub_date=now - datetime.timedelta(days=1)),
            make_question(question_text="Hidden results?", results_visibility=ResultsVisibility.AFTER_VOTE),
        ]  # fmt: skip
        self.ids = [question.pk for question in self.questions]
        self.choice_ids = [choice.pk for question in self.questions for choice in question.choices.all()]
        self.voters = [signed_voter(make_voter()) for _ in range(20)]


def numbers():
    """Numbers as text: small, past every integer type, and what only looks like digits."""
    return st.one_of(
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.integers(min_value=10**9, max_value=10**40).map(str),
        st.sampled_from(["²", "١٢", "+1", " 1", "1 ", "0x10", "1_000", "١"]),
    )


def ids(site):
    return st.one_of(
        st.sampled_from(site.ids),
        numbers(),
        st.text(max_size=12).map(lambda text: text.replace("/", "")),
        st.binary(min_size=1, max_size=6).map(lambda raw: "".join(f"%{byte:02x}" for byte in raw)),
    )


def paths(site):
    pages = ["", "vote/", "results/", "qr.svg", "vote", "results/extra/"]
    return st.one_of(
        st.sampled_from(["/", "/polls/", "/polls/closed/", "/healthz", "/admin/login/", "/admin/", "/polls"]),
        st.builds(lambda poll, page: f"/polls/{poll}/{page}", ids(site), st.sampled_from(pages)),
        st.binary(max_size=10).map(lambda raw: "/polls/" + "".join(f"%{byte:02x}" for byte in raw)),
    )


def queries():
    values = st.one_of(
        numbers(),
        st.sampled_from(["last", "nan", "1e400", "", "0", "-1", *HOSTILE]),
        st.text(max_size=20),
        st.binary(max_size=8).map(lambda raw: "".join(f"%{byte:02x}" for byte in raw)),
    )
    keys = st.sampled_from(["page", "page", "page", "next", "q", "%ff", "page[]", ""])
    pairs = st.lists(st.tuples(keys, values), max_size=4)
    return st.one_of(st.just(""), pairs.map(lambda items: "?" + "&".join(f"{k}={v}" for k, v in items)))


def forms(site):
    values = st.one_of(
        st.sampled_from(site.choice_ids).map(str),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.sampled_from(HOSTILE),
        st.text(max_size=30),
    )
    keys = st.sampled_from(["choice", "choice", "choice", "website", "csrfmiddlewaretoken", "username",
                            "password", "next", "choice[]", "x" * 300])  # fmt: skip
    return st.lists(st.tuples(keys, values), max_size=6)


def form_body(pairs):
    """Fields sent as a browser's form would be, unescaped: the fuzzer wants the raw characters."""
    body = "&".join(f"{key}={value}" for key, value in pairs)
    return body.encode("utf-8", "surrogatepass"), "application/x-www-form-urlencoded"


def bodies(site):
    """(body bytes, content type): mostly a form, else raw bytes under a claimed type."""
    form = forms(site).map(form_body)
    raw = st.tuples(
        st.binary(max_size=300),
        st.sampled_from([
            "application/x-www-form-urlencoded", "multipart/form-data", "multipart/form-data; boundary=x",
            "application/json", "text/plain", "application/x-www-form-urlencoded; charset=utf-16",
            "application/x-www-form-urlencoded; charset=bogus", "", "image/png",
        ]),
    )  # fmt: skip
    return st.one_of(form, form, raw)


def cookies(site):
    return st.one_of(
        st.just(""),
        st.sampled_from(site.voters).map(lambda signed: f"voter={signed}"),
        st.sampled_from(["voter=forged:1:bad", "messages=zzz", "csrftoken=<x>", "sessionid=..", "=;=;"]),
        st.text(LATIN1, max_size=60),
    )


def votes(site):
    """A vote as a browser sends it, on one of the polls, with one or two choices (or a foreign one)."""
    return st.fixed_dictionaries({
        "method": st.just("POST"),
        "path": st.sampled_from(site.questions).map(lambda question: f"/polls/{question.pk}/vote/"),
        "query": st.just(""),
        "body": st.lists(st.sampled_from(site.choice_ids), min_size=1, max_size=2).map(
            lambda picked: form_body(("choice", pk) for pk in picked)
        ),
        "cookie": st.one_of(st.just(""), st.sampled_from(site.voters).map(lambda signed: f"voter={signed}")),
        # Voters from many addresses, so most votes pass the rate limit the noise below runs into.
        "address": st.ip_addresses(v=4).map(str),
        "forwarded": st.ip_addresses().map(str),
        "host": st.just("testserver"),
        "enforce_csrf": st.just(False),
    })  # fmt: skip


def noise(site):
    return st.fixed_dictionaries({
        "method": st.sampled_from(["GET", "GET", "GET", "GET", "POST", "POST", "POST", "HEAD", "OPTIONS",
                                   "PUT", "DELETE", "PATCH", "TRACE", "FOO"]),
        "path": paths(site),
        "query": queries(),
        "body": bodies(site),
        "cookie": cookies(site),
        "address": st.sampled_from(["203.0.113.1", "203.0.113.2", "2001:db8::1", "198.51.100.7"]),
        "forwarded": st.one_of(st.just(None), st.text(LATIN1, max_size=40), st.ip_addresses().map(str)),
        "host": st.sampled_from(["testserver"] * 9 + ["evil.example"]),
        "enforce_csrf": st.booleans(),
    })  # fmt: skip


@pytest.fixture
def fast_hashing(settings):
    # The real hasher takes a fraction of a second per sign-in by design; the fuzzer signs in a lot.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_ten_thousand_hostile_requests_never_get_a_5xx_and_leave_the_counts_consistent(fast_hashing, capsys):
    site = Site()
    statuses = collections.Counter()
    browsers = {
        enforce: Client(raise_request_exception=False, enforce_csrf_checks=enforce)
        for enforce in (False, True)
    }

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )
    @given(st.lists(st.one_of(noise(site), noise(site), votes(site)), min_size=BATCH, max_size=BATCH))
    def send(batch):
        for request in batch:
            body, content_type = request["body"]
            headers = {"X-Forwarded-Proto": "https", "Host": request["host"], "Cookie": request["cookie"]}
            if request["forwarded"] is not None:
                headers["X-Forwarded-For"] = request["forwarded"]
            response = browsers[request["enforce_csrf"]].generic(
                request["method"],
                request["path"] + request["query"],
                data=body if request["method"] != "GET" else b"",
                content_type=content_type,
                headers=headers,
                REMOTE_ADDR=request["address"],
            )
            statuses[response.status_code] += 1
            text = response.content.decode("utf-8", "replace")
            assert response.status_code < 500, (request, response.status_code)
            assert "Traceback" not in text, request

    send()
    sent = sum(statuses.values())
    assert sent >= 10_000
    assert statuses[302] > 0  # some votes really were counted, so the invariants below mean something
    assert Ballot.objects.exists()
    assert_counts_consistent()
    with capsys.disabled():
        print(f"\n[fuzz] {sent} requests, statuses {dict(sorted(statuses.items()))}, 5xx 0, "
              f"{Ballot.objects.count()} ballots, counts consistent")  # fmt: skip
