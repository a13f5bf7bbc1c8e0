"""Browsers voting across several gunicorn servers that share one PostgreSQL database.

test_multiserver.py runs this at a modest size; `make stress` runs it large:

    DATABASE_URL=postgres://... python -m polls.tests.harness.multiserver --voters 5000

The browsers (polls/tests/harness/browsers.py) vote the ways people do; a router in front of the servers
sends every request to one of them at random, as Heroku's router does with dynos. Afterwards the
database is compared with what every browser was told.
"""

import argparse
import os
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import requests

from .browsers import Browser, Traffic, plan, problem, vote
from .servers import prepare_database


@dataclass
class Report:
    voters: int
    ballots: int
    totals: dict  # choice text: Choice.votes
    lost: int  # confirmed voters without a ballot
    doubled: int  # ballots that belong to no browser (a second ballot for somebody)
    misplaced: int  # ballots not holding their voter's last write
    drift: list  # counters that disagree with their rows
    traffic: Traffic
    seconds: float
    problems: list  # (voter kind, what went wrong)
    unanswered: int  # votes whose answer never came; each must be all there or not there at all

    @property
    def server_errors(self):
        return sum(n for status, n in self.traffic.statuses.items() if status >= 500)

    @property
    def exact(self):
        counted = sum(self.totals.values()) == self.ballots
        wrong = self.lost + self.doubled + self.misplaced + len(self.drift) + self.server_errors
        return counted and not wrong and not self.problems

    def __str__(self):
        requests_made = sum(self.traffic.statuses.values())
        lines = [
            f"voters      {self.voters}",
            f"ballots     {self.ballots}",
            f"totals      {sum(self.totals.values())}  "
            + ", ".join(f"{k}: {v}" for k, v in self.totals.items()),
            f"lost        {self.lost}",
            f"doubled     {self.doubled}",
            f"misplaced   {self.misplaced}",
            f"drift       {len(self.drift)} counter(s) off their rows",
            f"5xx         {self.server_errors}",
            f"unanswered  {self.unanswered} (connection errors: {self.traffic.connection_errors})",
            f"problems    {len(self.problems)}" + (f"  first: {self.problems[0]}" if self.problems else ""),
            f"requests    {requests_made} in {self.seconds:.1f}s = {requests_made / self.seconds:.0f} req/s, "
            f"{self.voters / self.seconds:.0f} voters/s; by server "
            + ", ".join(f":{port} {n}" for port, n in sorted(self.traffic.servers.items())),
            "statuses    " + ", ".join(f"{s}: {n}" for s, n in sorted(self.traffic.statuses.items())),
        ]
        return "\n".join(lines)


class Simulation:
    """Many browsers voting on one question across the servers, `concurrency` at a time."""

    def __init__(self, servers, question, voters, seed=0, concurrency=16):
        rng = random.Random(seed)
        choice_ids = list(question.choices.values_list("pk", flat=True))
        self.servers, self.question, self.seed, self.concurrency = servers, question, seed, concurrency
        self.voters = [plan(rng, choice_ids) for _ in range(voters)]
        self.traffic = Traffic()
        self.finished = 0  # voters done so far, for a caller that acts mid-run
        self._finishing = threading.Lock()
        self.seconds = 0.0

    def run(self):
        started = time.monotonic()
        with ThreadPoolExecutor(self.concurrency) as pool:
            list(pool.map(self._visit, range(len(self.voters))))
        self.seconds = time.monotonic() - started
        return self

    def report(self):
        return audit(self, self.seconds)

    def _visit(self, index):
        voter = self.voters[index]
        browser = Browser(self.servers, self.traffic, seed=f"{self.seed}-{index}")
        try:
            vote(browser, voter, self.question.pk)
        except (AssertionError, requests.ConnectionError) as error:
            voter.problems.append(problem(error))
        finally:
            browser.session.close()
            with self._finishing:
                self.finished += 1


def audit(simulation, seconds):
    """Compare what the database holds with what every browser was told."""
    # Imported here, not above: `python -m polls.tests.harness.multiserver` imports this module before
    # main() has set Django up.
    from polls.counts import mismatches
    from polls.models import Ballot, Choice, Question, Vote

    question = Question.objects.get(pk=simulation.question.pk)
    held = dict(Vote.objects.filter(ballot__question=question).values_list("ballot__voter", "choice_id"))
    held = {str(voter): choice for voter, choice in held.items()}
    browsers = {voter.voter_id: voter for voter in simulation.voters}
    lost = sum(1 for v in simulation.voters if v.confirmed is not None and v.voter_id not in held)
    misplaced = sum(
        1
        for voter_id, choice in held.items()
        if voter_id in browsers
        and choice not in {browsers[voter_id].confirmed, browsers[voter_id].unanswered}
    )
    return Report(
        voters=len(simulation.voters),
        ballots=Ballot.objects.filter(question=question).count(),
        totals=dict(Choice.objects.filter(question=question).values_list("choice_text", "votes")),
        lost=lost,
        doubled=sum(1 for voter_id in held if voter_id not in browsers),
        misplaced=misplaced,
        drift=mismatches(Question.objects.filter(pk=question.pk)),
        traffic=simulation.traffic,
        seconds=seconds,
        problems=[(v.kind, problem) for v in simulation.voters for problem in v.problems],
        unanswered=sum(1 for v in simulation.voters if v.unanswered is not None),
    )


def main(argv=None):
    """Run the scenario on the DATABASE_URL database, print the report; exit 1 unless it is exact."""
    parser = argparse.ArgumentParser(
        prog="python -m polls.tests.harness.multiserver", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--voters", type=int, default=5000)
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8140, help="the first server's port; the rest follow")
    parser.add_argument("--concurrency", type=int, default=16, help="browsers active at once")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    prepare_database(parser, "stress")
    from ..factories import make_question
    from .servers import Server, server_env

    question = make_question(question_text="Stress test: which is best?", choices=("Red", "Green", "Blue"))
    servers = [Server(args.port + n, server_env(os.environ["DATABASE_URL"])) for n in range(args.servers)]
    try:
        for server in servers:
            server.start()
        print(
            f"{args.voters} browsers voting across {args.servers} servers, {args.concurrency} at a time ..."
        )
        report = Simulation(servers, question, args.voters, args.seed, args.concurrency).run().report()
    finally:
        for server in servers:
            server.stop()
        question.delete()  # stress data, not a poll anybody made
    print(report)
    return 0 if report.exact and not report.unanswered else 1


if __name__ == "__main__":
    raise SystemExit(main())
