"""Two real gunicorn servers on one PostgreSQL database, as two Heroku dynos behind the router."""

import csv
import datetime
import http.client
import io
import itertools
import os
import re
import signal
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from polls.counts import mismatches
from polls.models import Ballot, Question
from polls.receipts import receipt_code, tracker

from .factories import make_question
from .harness.browsers import HOST, Browser, Traffic
from .harness.multiserver import Simulation
from .harness.servers import (
    Server,
    database_url,
    free_ports,
    pid_using_local_port,
    server_env,
    sockets_by_pid,
)

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

PORTS = range(8110, 8140)  # this suite's own (servers.free_ports)


@pytest.fixture
def servers(postgres, transactional_db):
    """Two servers on the test database, stopped before the database is flushed."""
    env = server_env(database_url(connection.settings_dict))
    started = []
    try:
        for port in free_ports(2, PORTS):
            started.append(Server(port, env))
            started[-1].start()
        yield started
    finally:
        for server in started:
            server.stop()


@pytest.fixture
def question(transactional_db):
    return make_question(question_text="Which colour?", choices=("Red", "Green", "Blue"))


def test_500_browsers_across_two_servers_are_each_counted_once_where_they_last_voted(servers, question):
    simulation = Simulation(servers, question, voters=500, seed=1).run()
    report = simulation.report()
    print(report)
    assert report.voters == 500
    assert report.ballots == sum(report.totals.values()) == 500
    assert (report.lost, report.doubled, report.misplaced, report.server_errors) == (0, 0, 0, 0)
    assert report.drift == []
    assert report.problems == []
    assert report.unanswered == report.traffic.connection_errors == 0
    texts = dict(question.choices.values_list("pk", "choice_text"))
    assert report.totals == {
        texts[pk]: n for pk, n in Counter(v.picks[-1] for v in simulation.voters).items()
    }
    # Every way of voting was played, and the router spread the load over both servers.
    assert {kind for kind, n in Counter(v.kind for v in simulation.voters).items() if n >= 50} == {
        "once",
        "resubmit",
        "double_click",
        "change",
    }
    assert min(report.traffic.servers.values()) > 0.4 * sum(report.traffic.servers.values())


def test_a_voter_cookie_from_one_server_is_honoured_by_the_other(servers, question):
    a, b = servers
    red, green, _ = question.choices.all()
    browser = Browser(servers, Traffic(), seed=0)
    _, token = browser.open_form(question.pk, server=a)
    browser.messages(browser.submit(question.pk, token, red.pk, server=a), server=a)
    page, token = browser.open_form(question.pk, server=b)
    assert 'You voted for <strong dir="auto">Red</strong>' in page
    assert "Change vote" in page
    target = browser.submit(question.pk, token, green.pk, server=b)
    assert browser.messages(target, server=b) == ["changed"]
    browser.session.close()
    ballot = Ballot.objects.get()
    assert str(ballot.voter) == browser.voter_id()
    assert list(ballot.votes.values_list("choice", flat=True)) == [green.pk]


def test_what_open_results_pages_poll_is_the_same_on_either_server(servers, question):
    """An ETag from one server is a 304 on the other until a vote on either changes the counts."""
    a, b = servers
    red, green, _ = question.choices.all()
    voter, other = Browser(servers, Traffic(), seed=4), Browser(servers, Traffic(), seed=5)
    _vote(voter, question, red, server=a)
    results = f"/polls/{question.pk}/results.json"
    tally = f"/polls/{question.pk}/results/tally/"
    first = voter.request("GET", results, server=a)
    assert first.json()["voters"] == 1
    assert _revalidate(voter, results, first, server=b).status_code == 304
    # The live tally shows this voter's own ballot: their cookie, read by whichever server answers.
    own = voter.request("GET", tally, server=b)
    assert own.status_code == 200
    assert "Your vote" in own.text
    assert _revalidate(voter, tally, own, server=a).status_code == 304

    _vote(other, question, green, server=b)
    assert _revalidate(voter, tally, own, server=a).status_code == 200
    again = _revalidate(voter, results, first, server=a)
    assert again.status_code == 200
    counts = {choice["text"]: choice["votes"] for choice in again.json()["choices"]}
    assert counts == dict(question.choices.values_list("choice_text", "votes"))
    assert counts == {"Red": 1, "Green": 1, "Blue": 0}
    voter.session.close()
    other.session.close()


def _vote(browser, question, choice, server):
    _, token = browser.open_form(question.pk, server=server)
    browser.messages(browser.submit(question.pk, token, choice.pk, server=server), server=server)


def _revalidate(browser, path, earlier, server):
    return browser.request("GET", path, server=server, headers={"If-None-Match": earlier.headers["ETag"]})


def test_a_visitors_language_and_zone_are_theirs_on_either_server(servers, question):
    """Both live in the visitor's cookies, so either server renders the same words and times."""
    visitor = Browser(servers, Traffic(), seed=6)
    visitor.session.cookies.set("django_language", "de", domain=HOST)
    visitor.session.cookies.set("polls_tz", "America/New_York", domain=HOST)
    pages = [visitor.request("GET", f"/polls/{question.pk}/", server=server) for server in servers]
    for page in pages:
        assert page.headers["Content-Language"] == "de"
        assert '<html lang="de"' in page.text
        assert "Abstimmen" in page.text
        assert "Zeitangaben in der Zeitzone America/New_York" in page.text
    visitor.session.close()


def test_a_worker_killed_mid_vote_leaves_nothing_partial_and_a_restart_serves_again(servers, question):
    red = question.choices.get(choice_text="Red")
    simulation = Simulation(servers, question, voters=200, seed=2)
    load = threading.Thread(target=simulation.run)
    load.start()
    try:
        _wait_for(lambda: simulation.finished >= 50, "the load to get going")
        stuck_at, transaction_id = _kill_a_worker_mid_vote(servers, red)
    finally:
        load.join(timeout=120)
    # Its ballot rows were written, its question's counter moved, its choice's not yet: a
    # transaction of several statements, which PostgreSQL rolls back whole when it finds its
    # client gone.
    ended = _wait_for(lambda: _settled(transaction_id), "the killed vote's transaction to end")
    assert (stuck_at.split(" SET")[0], ended) == ('UPDATE "polls_choice"', "aborted")

    # Each request the kill cut off (a gthread worker serves several) is all there or not at all.
    report = simulation.report()
    print(report)
    assert report.traffic.connection_errors >= 1
    assert {problem for _, problem in report.problems} == {"connection lost: ConnectionError"}
    assert (report.lost, report.doubled, report.misplaced, report.server_errors) == (0, 0, 0, 0)
    assert report.ballots == sum(report.totals.values())
    assert not Ballot.objects.filter(votes__isnull=True).exists()
    assert mismatches() == []

    for server in servers:
        server.stop()
    for server in servers:
        server.start()
    for server in servers:
        assert requests.get(server.url + "/healthz", timeout=5).status_code == 200
    browser = Browser(servers, Traffic(), seed=3)
    _, token = browser.open_form(question.pk)
    assert browser.messages(browser.submit(question.pk, token, red.pk)) == ["counted"]
    assert Ballot.objects.filter(voter=uuid.UUID(browser.voter_id())).exists()
    browser.session.close()  # an idle keep-alive connection would hold up the servers' stop
    assert mismatches() == []
    call_command("check_counts")


def _kill_a_worker_mid_vote(servers, choice):
    """
    Hold a lock on `choice` until a vote is stuck on it halfway through its transaction (ballot
    rows written, choice counter not yet moved), SIGKILL the worker running that vote, then let go.
    Return the statement the vote was stuck at and its transaction id.
    """
    holder = connection.get_new_connection(connection.get_connection_params())
    try:
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            [holder_pid] = cursor.fetchone()
            cursor.execute("SELECT 1 FROM polls_choice WHERE id = %s FOR UPDATE", [choice.pk])
            client_port, query, transaction_id = _wait_for(
                lambda: _blocked_by(holder_pid), "a vote to queue behind the lock"
            )
            workers = [pid for server in servers for pid in server.worker_pids()]
            worker = pid_using_local_port(client_port, workers)
            assert worker is not None, f"no worker owns the connection from port {client_port}"
            os.kill(worker, signal.SIGKILL)
            _wait_for(lambda: worker not in [p for s in servers for p in s.worker_pids()], "the kill")
    finally:
        holder.rollback()
        holder.close()
    return query, transaction_id


def _blocked_by(holder_pid):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT client_port, query, backend_xid::text::bigint FROM pg_stat_activity"
            " WHERE datname = current_database() AND %s = ANY(pg_blocking_pids(pid))"
            # Only a vote halfway through: another backend may queue behind the lock in passing.
            " AND query LIKE 'UPDATE \"polls_choice\"%%'",
            [holder_pid],
        )
        return cursor.fetchone()


def _settled(transaction_id):
    """'committed' or 'aborted' once the transaction has ended, else None."""
    with connection.cursor() as cursor:
        # pg_stat_activity shows a 32-bit xid; give it the current epoch to ask about it.
        cursor.execute(
            "SELECT pg_xact_status((((pg_snapshot_xmax(pg_current_snapshot())::text::bigint >> 32) << 32)"
            " + %s)::text::xid8)",
            [transaction_id],
        )
        [status] = cursor.fetchone()
    return None if status == "in progress" else status


def _wait_for(condition, what, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def test_each_worker_listens_on_its_own_socket_so_a_burst_of_connections_is_shared(servers):
    # With one listening socket shared by the workers, the one that wakes first could accept every
    # connection of a burst and keep them alive, leaving the other worker (and core) idle: in
    # `make bench`, 8 connections all on one worker halved a page's requests per second.
    server = servers[0]
    workers = server.worker_pids()
    listening = sockets_by_pid(server.port, workers, state="0A")
    assert sorted(listening) == sorted(workers)
    assert len(set.union(*listening.values())) == len(workers)  # a socket of its own each

    burst = [http.client.HTTPConnection("127.0.0.1", server.port, timeout=10) for _ in range(16)]
    try:
        for kept_alive in burst:
            kept_alive.request("GET", "/healthz")
        for kept_alive in burst:
            assert kept_alive.getresponse().read() == b"ok\n"
        held = sockets_by_pid(server.port, workers, state="01")
        assert sum(len(sockets) for sockets in held.values()) == 16
        assert sorted(held) == sorted(workers)  # every worker holds some of them
    finally:
        for kept_alive in burst:
            kept_alive.close()


RECEIPT = re.compile(r"<code\b[^>]*\bdata-receipt>([^<]*)</code>")
COUNTED = re.compile(r'<p class="verdict verdict-counted">(.*?)</p>', re.DOTALL)
HELD = re.compile(r'<strong dir="auto">(.*?)</strong>')


def test_receipts_and_the_ballot_list_are_the_same_whichever_server_answers(servers):
    """
    Browsers vote through both servers, a third of them changing their vote on the other one: each
    finds one receipt on both, which checks out on both; once the poll closes both serve its ballot
    list byte for byte, each browser's row holding its last choices, the columns summing to the counters.
    """
    question = make_question(
        question_text="Which evenings suit you?", choices=("Monday", "Tuesday", "Thursday"), max_choices=2
    )
    choices = list(question.choices.all())
    texts = [choice.choice_text for choice in choices]
    ballots = [picks for picks in _ballots(choices) for _ in range(2)]  # every ballot the poll takes, twice
    browsers = [Browser(servers, Traffic(), seed=f"receipt-{n}") for n in range(len(ballots))]
    # Browser n votes first on server n % 2; every third votes again on the other,
    # for a ballot two further along the list (never the one it holds).
    plans = [
        [(servers[n % 2], ballots[n])]
        + ([(servers[1 - n % 2], ballots[(n + 2) % len(ballots)])] if n % 3 == 0 else [])
        for n in range(len(browsers))
    ]
    with ThreadPoolExecutor(6) as pool:
        first_receipts = list(pool.map(_cast, browsers, [question.pk] * len(browsers), plans))
    last = [[choice.choice_text for choice in plan[-1][1]] for plan in plans]

    receipts = []
    for browser, first_receipt, held in zip(browsers, first_receipts, last, strict=True):
        shown = {
            _receipt(browser, question.pk, page, server) for server in servers for page in ("", "results/")
        }
        assert shown == {first_receipt}  # the same on both servers, and kept by a change of vote
        assert first_receipt == receipt_code(uuid.UUID(browser.voter_id()), question.pk)
        assert [_looked_up(browser, question.pk, first_receipt, server) for server in servers] == [held, held]
        receipts.append(first_receipt)
    assert len(set(receipts)) == len(browsers)
    unknown = receipt_code(uuid.uuid4(), question.pk)  # well formed, but no ballot's
    for server in servers:
        assert (
            browsers[0].request("GET", _lookup_path(question.pk, unknown), server=server).status_code == 404
        )

    ballots_csv = f"/polls/{question.pk}/ballots.csv"
    for server in servers:
        assert browsers[0].request("GET", ballots_csv, server=server).status_code == 404  # open: not yet
    Question.objects.filter(pk=question.pk).update(closes_at=timezone.now() - datetime.timedelta(seconds=1))
    lists = [browsers[0].request("GET", ballots_csv, server=server) for server in servers]
    assert [response.status_code for response in lists] == [200, 200]
    assert lists[0].content == lists[1].content
    assert _revalidate(browsers[0], ballots_csv, lists[0], server=servers[1]).status_code == 304

    header, *rows = csv.reader(io.StringIO(lists[0].content.decode()))
    assert header == ["tracker", *texts]
    assert [row[0] for row in rows] == sorted(row[0] for row in rows)
    listed = {
        key: [text for text, cell in zip(texts, cells, strict=True) if cell == "1"] for key, *cells in rows
    }
    assert listed == {tracker(receipt): held for receipt, held in zip(receipts, last, strict=True)}
    question.refresh_from_db()
    assert len(rows) == question.voter_count == len(browsers)
    sums = [sum(int(row[column]) for row in rows) for column in range(1, len(header))]
    assert sums == [choice.votes for choice in question.choices.all()]
    call_command("recount", question.pk, stdout=io.StringIO())  # raises unless the list agrees
    for browser in browsers:
        assert not [status for status in browser.traffic.statuses if status >= 500]
        browser.session.close()


def _ballots(choices):
    """Every ballot a poll of up to two choices takes: each choice alone, then each pair."""
    return [[choice] for choice in choices] + [list(pair) for pair in itertools.combinations(choices, 2)]


def _cast(browser, question_id, plan):
    """Vote each (server, choices) of the plan in turn; return the receipt shown after the first."""
    receipt = None
    for server, chosen in plan:
        _, token = browser.open_form(question_id, server=server)
        target = browser.submit(question_id, token, [choice.pk for choice in chosen], server=server)
        assert browser.messages(target, server=server) == (["changed"] if receipt else ["counted"])
        receipt = receipt or _receipt(browser, question_id, "", server)
    return receipt


def _receipt(browser, question_id, page, server):
    """The receipt the poll's page ("") or its results page ("results/") shows the browser."""
    response = browser.request("GET", f"/polls/{question_id}/{page}", server=server)
    assert response.status_code == 200
    [code] = RECEIPT.findall(response.text)
    return code


def _lookup_path(question_id, code):
    return f"/polls/{question_id}/receipt/?receipt={code}"


def _looked_up(browser, question_id, code, server):
    """What the receipt's lookup page says its ballot holds, as choice texts."""
    response = browser.request("GET", _lookup_path(question_id, code), server=server)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    [verdict] = COUNTED.findall(response.text)
    assert RECEIPT.findall(response.text) == [code]
    return HELD.findall(verdict)
