"""Slow clients held open against a real gunicorn while other visitors browse (issue 21).

A stalled client sends part of a request (a request line, some headers) and then nothing; a
trickling vote sends its headers, then its body one byte every few seconds, as Heroku's router
lets it (the router buffers headers, not bodies). test_slow_clients.py runs this against the
Procfile's gunicorn; to measure a setup:

    DATABASE_URL=postgres://... python -m polls.tests.harness.slow_clients --port 8600 -- -k gthread

Prints the visitors' answer times and what the trickled votes were told; exit 1 unless every
visitor was answered within the bound and every trickled vote counted.
"""

import argparse
import os
import re
import socket
import statistics
import threading
import time
from dataclasses import dataclass, field

import requests

from .browsers import HOST, ORIGIN, LoopbackCookieJar
from .servers import Server, prepare_database, server_env

TOKEN_COOKIE = "csrftoken"
STATUS_LINE = re.compile(rb"HTTP/1\.[01] (\d{3})")


def stall(url, path="/polls/"):
    """Open a connection that sends a request line and half a header, then nothing."""
    sock = socket.create_connection(_address(url), timeout=5)
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nUser-Agent: slo".encode())
    return sock


class TricklingVote:
    """A vote whose headers arrive at once and whose body arrives a byte at a time."""

    def __init__(self, url, question_id, choice_id, address):
        # A browser's first visit: the form's page gives it the CSRF and voter cookies.
        browser = requests.Session()
        browser.cookies = LoopbackCookieJar()
        headers = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": address}
        browser.get(f"{url}/polls/{question_id}/", headers=headers, timeout=30).raise_for_status()
        cookies = "; ".join(f"{cookie.name}={cookie.value}" for cookie in browser.cookies)
        self.body = f"choice={choice_id}".encode()
        self.head = (
            f"POST /polls/{question_id}/vote/ HTTP/1.1\r\n"
            f"Host: {HOST}\r\n"
            "X-Forwarded-Proto: https\r\n"
            f"X-Forwarded-For: {address}\r\n"
            f"Origin: {ORIGIN}\r\n"
            f"X-CSRFToken: {browser.cookies[TOKEN_COOKIE]}\r\n"
            f"Cookie: {cookies}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(self.body)}\r\n"
            "Connection: close\r\n\r\n"
        ).encode()
        self.url, self.sent, self.sock = url, 0, None

    def start(self):
        self.sock = socket.create_connection(_address(self.url), timeout=5)
        self.sock.sendall(self.head)

    @property
    def done(self):
        return self.sent == len(self.body)

    def send_a_byte(self):
        self.sock.sendall(self.body[self.sent : self.sent + 1])
        self.sent += 1

    def status(self, timeout):
        """The status of the answer, once the whole body is sent; None if none came in time."""
        self.sock.settimeout(timeout)
        answer = b""
        try:
            while b"\r\n" not in answer and (chunk := self.sock.recv(4096)):
                answer += chunk
        except OSError:
            return None
        finally:
            self.sock.close()
        matched = STATUS_LINE.match(answer)
        return int(matched.group(1)) if matched else None


@dataclass
class Visits:
    """What other visitors met while the slow clients were held open."""

    seconds: list = field(default_factory=list)  # each visit's answer time (None: no answer)
    statuses: list = field(default_factory=list)

    @property
    def slowest(self):
        return max((s for s in self.seconds if s is not None), default=None)

    @property
    def unanswered(self):
        return self.seconds.count(None)

    def __str__(self):
        answered = sorted(s for s in self.seconds if s is not None)
        if not answered:
            return f"{len(self.seconds)} visits, none answered"
        return (
            f"{len(self.seconds)} visits: median {statistics.median(answered) * 1000:.0f} ms, "
            f"slowest {answered[-1] * 1000:.0f} ms, unanswered {self.unanswered}, "
            f"statuses {sorted(set(self.statuses))}"
        )


def visit(url, paths, *, seconds, every=0.25, limit=10.0):
    """Browse `paths` in turn on fresh connections for `seconds`, timing each answer."""
    visits = Visits()
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline:
        began = time.monotonic()
        try:
            headers = {"Host": HOST, "X-Forwarded-Proto": "https"}
            response = requests.get(url + paths[n % len(paths)], headers=headers, timeout=limit)
        except requests.RequestException:
            visits.seconds.append(None)
        else:
            visits.seconds.append(time.monotonic() - began)
            visits.statuses.append(response.status_code)
        n += 1
        time.sleep(max(0.0, every - (time.monotonic() - began)))
    return visits


@dataclass
class Siege:
    """Stalled connections and trickling votes, held open while visitors browse."""

    url: str
    question_id: int
    choice_id: int
    stalled: int = 8
    trickling: int = 8
    interval: float = 2.0  # seconds between two bytes of a trickling body
    stalls: list = field(default_factory=list)
    votes: list = field(default_factory=list)

    def __enter__(self):
        self.votes = [
            TricklingVote(self.url, self.question_id, self.choice_id, f"198.51.100.{n + 1}")
            for n in range(self.trickling)
        ]
        self.stalls = [stall(self.url) for _ in range(self.stalled)]
        for vote in self.votes:
            vote.start()
        self._stop = threading.Event()
        self._trickler = threading.Thread(target=self._trickle, daemon=True)
        self._trickler.start()
        return self

    def _trickle(self):
        while not self._stop.wait(self.interval):
            pending = [vote for vote in self.votes if not vote.done]
            if not pending:
                return
            for vote in pending:
                vote.send_a_byte()

    @property
    def seconds(self):
        """How long the trickled bodies take to arrive."""
        return self.interval * max((len(vote.body) for vote in self.votes), default=0)

    def finish(self, timeout=15):
        """Let the trickled bodies end; the status each vote was answered with, within `timeout` in all."""
        self._trickler.join()
        deadline = time.monotonic() + timeout
        return [vote.status(max(0.1, deadline - time.monotonic())) for vote in self.votes]

    def held_open(self):
        """How many stalled connections the server still holds open, with nothing answered yet."""
        held = 0
        for sock in self.stalls:
            sock.setblocking(False)
            try:
                sock.recv(1)  # b"": closed by the server; bytes: it answered (a 408, a 400)
            except BlockingIOError:  # nothing yet: still open, still waiting
                held += 1
            except OSError:  # reset by the server
                pass
        return held

    def __exit__(self, *exc_info):
        self._stop.set()
        for sock in self.stalls + [vote.sock for vote in self.votes if vote.sock]:
            sock.close()


def _address(url):
    host, port = url.removeprefix("http://").rsplit(":", 1)
    return host, int(port)


def main(argv=None):
    """Hold the slow clients open against one gunicorn on DATABASE_URL; print what visitors met."""
    parser = argparse.ArgumentParser(
        prog="python -m polls.tests.harness.slow_clients", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--port", type=int, default=8600)
    parser.add_argument("--stalled", type=int, default=8)
    parser.add_argument("--trickling", type=int, default=8)
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between two bytes of a body")
    parser.add_argument("--bound", type=float, default=2.0, help="the slowest answer a visitor may wait")
    parser.add_argument("gunicorn_args", nargs="*", help="after --: arguments that win over gunicorn.conf.py")
    args = parser.parse_args(argv)
    prepare_database(parser, "slow-clients")
    from polls.models import Ballot

    from ..factories import make_question

    question = make_question(question_text="Slow clients: do they count?", choices=("Yes", "No"))
    choice = question.choices.first()
    paths = ["/polls/", f"/polls/{question.pk}/", f"/polls/{question.pk}/results/"]
    server = Server(args.port, server_env(os.environ["DATABASE_URL"]), extra_args=args.gunicorn_args)
    try:
        with server:
            print("before:", visit(server.url, paths, seconds=3))
            siege = Siege(
                server.url, question.pk, choice.pk, args.stalled, args.trickling, interval=args.interval
            )
            with siege:
                # As long as the bodies take to trickle in, and a little after.
                visits = visit(server.url, paths, seconds=siege.seconds + 2)
                held = siege.held_open()
                statuses = siege.finish()
            print(f"during ({args.stalled} stalled, {args.trickling} trickling):", visits)
            print(f"stalled connections still held open at the end: {held}")
            print(f"trickled votes answered: {statuses}")
            counted = Ballot.objects.filter(question=question).count()
            print(f"ballots counted: {counted} of {args.trickling}")
    finally:
        question.delete()
    ok = visits.unanswered == 0 and visits.slowest <= args.bound and counted == args.trickling
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
