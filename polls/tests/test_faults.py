"""
PostgreSQL going away: a 503 "try again" page, never a 500; recovery without a restart; and a vote
in flight is either recorded or not, and the voter is told which.

Outages are simulated without touching the shared server: a TCP proxy in front of it is stopped
and started, and pg_terminate_backend ends this test database's connections.
"""

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.db import OperationalError, connection, connections
from django.http import HttpResponse
from django.test import Client

from polls.models import Ballot
from polls.voter import COOKIE_NAME, remember_voter

from .factories import make_question
from .harness.outage import Server, TcpProxy
from .invariants import assert_counts_consistent

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

HTTPS = {"X-Forwarded-Proto": "https"}


def report(capsys, line):
    """Print a measured figure into the test run's output (the closing note quotes them)."""
    with capsys.disabled():
        print(f"\n[faults] {line}")


@pytest.fixture
def site(postgres, tmp_path):
    """A gunicorn whose every database connection goes through a proxy the test controls."""
    proxy = TcpProxy()
    proxy.start()
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@127.0.0.1:{proxy.port}/{db['NAME']}"
    server = Server(url, tmp_path / "gunicorn.log", POLLS_VOTE_RATE_LIMIT="0")
    yield server, proxy
    server.stop()
    proxy.stop()
    assert "Traceback" not in server.log()


def pages(base, question):
    return {
        "list": f"{base}/polls/",
        "closed list": f"{base}/polls/closed/",
        "detail": f"{base}/polls/{question.pk}/",
        "results": f"{base}/polls/{question.pk}/results/",
        "qr": f"{base}/polls/{question.pk}/qr.svg",
        "health": f"{base}/healthz",
    }


def get(url):
    return requests.get(url, headers=HTTPS, timeout=10)


def form_of(base, path):
    """The CSRF cookie and token of the form at `path`, and the Referer a browser would send."""
    page = get(base + path)
    token = page.text.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    return page.cookies["csrftoken"], token, base.replace("http://", "https://") + path


class Ballots:
    """Vote POSTs as browsers send them, each with its own known voter, classified by what they say."""

    def __init__(self, base, question):
        self.url = f"{base}/polls/{question.pk}/vote/"
        self.csrf_cookie, self.token, self.referer = form_of(base, question.get_absolute_url())
        self.choice = question.choices.first().pk

    def cast(self, voter):
        signed = HttpResponse()
        remember_voter(signed, voter)  # the cookie exactly as the site would have issued it
        cookie = f"csrftoken={self.csrf_cookie}; {COOKIE_NAME}={signed.cookies[COOKIE_NAME].value}"
        response = requests.post(
            self.url,
            data={"csrfmiddlewaretoken": self.token, "choice": self.choice},
            headers={**HTTPS, "Cookie": cookie, "Referer": self.referer},
            allow_redirects=False,
            timeout=15,
        )
        return outcome(response)


def outcome(response):
    if response.status_code == 302 and response.headers["Location"].endswith("/results/?voted=1"):
        return "counted"
    if response.status_code == 503 and "could not confirm your vote" in response.text:
        return "unconfirmed"
    if response.status_code == 503 and "your vote was <strong>not</strong> counted" in response.text:
        return "not counted"
    return f"unexpected {response.status_code}"


def vote_under(fault, ballots, seconds, threads=4):
    """Vote from `threads` browsers for `seconds` while `fault()` runs; return [(voter, outcome, t)]."""
    results, start = [], time.monotonic()

    def keep_voting():
        while time.monotonic() - start < seconds:
            voter = uuid.uuid4()
            results.append((voter, ballots.cast(voter), time.monotonic() - start))

    with ThreadPoolExecutor(threads) as pool:
        futures = [pool.submit(keep_voting) for _ in range(threads)]
        fault(start)
        for future in futures:
            future.result()
    return results


def assert_every_voter_was_told_the_truth(results):
    """Counted means a ballot exists, not counted means none; return the ballots lost (always 0)."""
    recorded = set(Ballot.objects.values_list("voter", flat=True))
    told = {voter: said for voter, said, _ in results}
    assert not [said for said in told.values() if said.startswith("unexpected")]
    lost = [voter for voter, said in told.items() if said == "counted" and voter not in recorded]
    phantom = [voter for voter, said in told.items() if said == "not counted" and voter in recorded]
    assert (lost, phantom) == ([], [])
    assert_counts_consistent()
    return len(lost)


def figures(results):
    said = [outcome for _, outcome, _ in results]
    return {name: said.count(name) for name in ("counted", "not counted", "unconfirmed")}


def sign_in(base, login):
    cookie, token, referer = login
    return requests.post(
        base + "/admin/login/",
        data={"csrfmiddlewaretoken": token, "username": "editor", "password": "secret"},
        headers={**HTTPS, "Cookie": f"csrftoken={cookie}", "Referer": referer},
        timeout=10,
    )


def test_with_the_database_gone_every_page_says_try_again_and_the_site_recovers_alone(site, capsys):
    server, proxy = site
    question = make_question()
    urls = pages(server.base, question)
    ballots = Ballots(server.base, question)
    login = form_of(server.base, "/admin/login/")
    assert {name: get(url).status_code for name, url in urls.items()} == dict.fromkeys(urls, 200)

    proxy.stop()
    for name, url in urls.items():
        down = get(url)
        assert down.status_code == 503, name
        assert "Traceback" not in down.text
        if name != "health":
            assert "Please try again in a moment" in down.text, name
            assert down.headers["Retry-After"] == "5"
    voter = uuid.uuid4()
    assert ballots.cast(voter) == "not counted"
    assert sign_in(server.base, login).status_code == 503

    proxy.start()
    restarted, recovered = time.monotonic(), None
    while recovered is None and time.monotonic() - restarted < 10:
        if all(get(url).status_code == 200 for url in urls.values()):
            recovered = time.monotonic() - restarted
    assert recovered is not None
    assert recovered < 5
    assert ballots.cast(voter) == "counted"
    assert sign_in(server.base, login).status_code == 200  # the form again: no such editor
    assert Ballot.objects.filter(voter=voter).count() == 1
    report(capsys, f"database down: {len(urls) + 2} requests, all 503 with a page; back in {recovered:.2f} s")


def test_a_database_restart_under_voting_load_loses_no_ballot(site, capsys):
    server, proxy = site
    question = make_question()
    ballots = Ballots(server.base, question)
    restarted = {}

    def restart(start):
        time.sleep(1.5)
        proxy.stop()
        time.sleep(2)
        proxy.start()
        restarted["at"] = time.monotonic() - start

    results = vote_under(restart, ballots, seconds=6)
    lost = assert_every_voter_was_told_the_truth(results)
    after = sorted((t, said) for _, said, t in results if t > restarted["at"])
    first_counted = next(t for t, said in after if said == "counted") - restarted["at"]
    assert first_counted < 3
    assert all(said == "counted" for t, said in after if t > restarted["at"] + 3)
    report(
        capsys,
        f"restart under load: {len(results)} votes tried, {figures(results)}, 500s 0, ballots lost {lost}, "
        f"first vote counted {first_counted:.2f} s after the database returned",
    )


def test_connections_killed_mid_vote_lose_no_ballot_and_need_no_restart(site, capsys):
    server, _ = site
    question = make_question()
    ballots = Ballots(server.base, question)
    killed = []

    def terminate_backends(start):
        with connection.cursor() as cursor:
            while time.monotonic() - start < 4:
                cursor.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                killed.append(cursor.fetchone()[0])
                time.sleep(0.15)

    results = vote_under(terminate_backends, ballots, seconds=5)
    lost = assert_every_voter_was_told_the_truth(results)
    assert sum(killed) > 0
    assert all(said == "counted" for _, said, t in results if t > 4.5)
    report(
        capsys,
        f"pg_terminate_backend x{len(killed)} ({sum(killed)} connections) under load: "
        f"{len(results)} votes tried, {figures(results)}, 500s 0, ballots lost {lost}",
    )


def test_connections_ended_while_idle_are_replaced_before_any_request_fails(site, capsys):
    """A restart or failover between two requests: the health check (mysite.postgresql) sees it."""
    server, _ = site
    question = make_question()
    urls = list(pages(server.base, question).values())
    with ThreadPoolExecutor(8) as pool:  # every worker thread opens its connection
        assert {response.status_code for response in pool.map(get, urls * 8)} == {200}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        [ended] = cursor.fetchone()
    time.sleep(0.5)  # the ended connections' last words reach the workers' sockets
    with ThreadPoolExecutor(8) as pool:
        answers = [response.status_code for response in pool.map(get, urls * 8)]
    assert ended > 0
    assert answers == [200] * len(answers)
    report(capsys, f"{ended} idle connections ended by the server: the next {len(answers)} requests all 200")


# A COMMIT whose answer is lost with the connection: the only moment the outcome is unknown. Both a
# first ballot and a change of vote are tested.


@pytest.fixture(params=["first ballot", "change of vote"])
def earlier_vote(request):
    """Whether the voter voted "No" before the vote under test, which then changes the ballot."""
    return request.param == "change of vote"


def lose_the_commit_answer(monkeypatch, *, reached_database, database_stays_down=False):
    """Make the vote's COMMIT fail as a dropped connection does, after or before it took effect."""
    database = connections["default"]
    real_commit, failed = database.commit, []

    def refuse(*args):
        raise OperationalError("connection refused")

    def commit():
        if failed:
            return real_commit()
        failed.append(True)
        if reached_database:
            real_commit()
        if database_stays_down:
            monkeypatch.setattr(database, "get_new_connection", refuse)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(database, "commit", commit)


def vote_for(text, client, question):
    return client.post(f"/polls/{question.pk}/vote/", {"choice": question.choices.get(choice_text=text).pk})


def vote_yes(client, question):
    return vote_for("Yes", client, question)


def voter_client(question, earlier_vote):
    client = Client(headers=HTTPS)
    if earlier_vote:
        assert vote_for("No", client, question).status_code == 302
    return client


def test_a_vote_whose_commit_took_effect_is_reported_counted(postgres, monkeypatch, earlier_vote):
    question = make_question()
    client = voter_client(question, earlier_vote)
    lose_the_commit_answer(monkeypatch, reached_database=True)
    response = vote_yes(client, question)
    assert response.status_code == 302
    assert 'Your vote for “<span dir="auto">Yes</span>” was counted.' in client.get(response["Location"]).text
    assert list(Ballot.objects.values_list("votes__choice__choice_text", flat=True)) == ["Yes"]
    assert_counts_consistent()


def test_a_vote_whose_commit_never_arrived_is_reported_not_counted(postgres, monkeypatch, earlier_vote):
    question = make_question()
    client = voter_client(question, earlier_vote)
    lose_the_commit_answer(monkeypatch, reached_database=False)
    response = vote_yes(client, question)
    assert response.status_code == 503
    assert "your vote was <strong>not</strong> counted" in response.text
    assert list(Ballot.objects.values_list("votes__choice__choice_text", flat=True)) == (
        ["No"] if earlier_vote else []
    )
    assert_counts_consistent()


def test_a_vote_that_cannot_be_checked_yet_says_so_and_the_poll_page_tells_later(
    postgres, monkeypatch, earlier_vote
):
    question = make_question()
    client = voter_client(question, earlier_vote)
    lose_the_commit_answer(monkeypatch, reached_database=True, database_stays_down=True)
    response = vote_yes(client, question)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "may or may not have been counted" in response.text
    assert COOKIE_NAME in response.cookies  # so the poll page can show this voter's ballot later

    monkeypatch.undo()
    assert 'You voted for <strong dir="auto">Yes</strong>' in client.get(question.get_absolute_url()).text
    assert vote_yes(client, question).status_code == 302  # voting again is safe
    assert Ballot.objects.count() == 1
    assert_counts_consistent()
