"""`make bench`: load-test every page with wrk on gunicorn and PostgreSQL, beside Django's floor.

Ratios to the floor (a constant page through the same middleware, in the same run and server) are
the figures that hold on a shared, noisy machine; absolute requests/s drift from run to run.
"""

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from statistics import mean, median

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from polls.models import Ballot, Question, ResultsVisibility

from . import _wrk

PAGES = ("list", "detail", "results", "vote")
# The share of the floor each page must reach (issue 7), and of the tutorial app.
FLOOR_TARGETS = {"list": 0.5, "detail": 0.4, "results": 0.5, "vote": 0.25}
TUTORIAL_TARGETS = {"list": 1.5, "detail": 1.5, "results": 1.5, "vote": 1.2}
HTTPS = {"X-Forwarded-Proto": "https"}  # as Heroku's router says it; SSL redirect stays on
COMPARE = settings.BASE_DIR.parent / "shared" / "bench" / "compare.py"


class Command(BaseCommand):
    help = "Load-test list, question, results and vote on gunicorn with wrk; print figures and ratios."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8250)
        parser.add_argument("--seconds", type=int, default=2, help="length of each wrk run")
        parser.add_argument("--connections", type=int, default=8)
        parser.add_argument(
            "--rounds", type=int, default=10, help="samples per page, each between two of the floor"
        )
        parser.add_argument("--workers", type=int, help="override gunicorn.conf.py, to compare setups")
        parser.add_argument("--threads", type=int, help="override gunicorn.conf.py")
        parser.add_argument("--worker-class", help="override gunicorn.conf.py (sync, gthread)")
        parser.add_argument("--no-compare", action="store_true", help="skip ../shared/bench/compare.py")
        parser.add_argument(
            "--compare-runs", type=int, default=3, help="runs of compare.py; each page's median counts"
        )

    def handle(self, **options):
        if connection.vendor != "postgresql":
            raise CommandError("make bench needs PostgreSQL: set BENCH_DATABASE_URL=postgres://...")
        call_command("migrate", verbosity=0)
        call_command("bench_data", replace=True, stdout=self.stdout)
        call_command("collectstatic", "--noinput", verbosity=0)
        self.question = question = (
            Question.objects.open().filter(max_choices=1, results_visibility=ResultsVisibility.ALWAYS).first()
        )
        base = f"http://127.0.0.1:{options['port']}"
        urls = page_urls(question)
        queries = queries_per_request(urls, question)
        server, boot = start_server(options)
        try:
            with tempfile.TemporaryDirectory() as tmp:
                samples, ballots = self.measure(base, urls, options, Path(tmp))
            rss = worker_rss(server.pid)
            compared = (
                None if options["no_compare"] else self.compare(base, question, options["compare_runs"])
            )
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        self.report(samples, queries, rss, boot, ballots, compared, options)

    def measure(self, base, urls, options, tmp):
        """
        Sample every page `rounds` times, each sample between two of the floor; return a Sample per
        page (and the floor's), with the ballots the vote samples added and their POSTs.

        The machine slows down for a second or two every few seconds, and for minutes now and then,
        whatever runs (README, Performance). A page's sample is compared with the floor's just
        before and after it, which share its moment, and the median over the samples leaves out
        the ones a slowdown cut across.
        """
        run = {"seconds": options["seconds"], "connections": options["connections"], "headers": HTTPS}
        # Written before any sample: each holds fresh voters, and writing one takes a moment.
        seconds, rounds = options["seconds"], options["rounds"]
        scripts = [self.vote_script(base, urls, tmp / f"vote-{n}.lua", seconds) for n in range(rounds + 1)]
        for page in ("floor", *PAGES):  # warm up
            _wrk.run(
                base + urls[page], script=scripts[-1] if page == "vote" else None, **{**run, "seconds": 2}
            )
        ballots_before, posts = Ballot.objects.count(), 0
        floors = [_wrk.run(base + urls["floor"], **run)]
        between = {page: [] for page in PAGES}
        for script in scripts[:-1]:
            for page in PAGES:
                self.stdout.write(f"  {page} ...", ending="\r")
                self.stdout.flush()
                figures = _wrk.run(base + urls[page], script=script if page == "vote" else None, **run)
                floors.append(_wrk.run(base + urls["floor"], **run))
                between[page].append((floors[-2], figures, floors[-1]))
                posts += figures.requests if page == "vote" else 0
        samples = {page: Sample.of(triples) for page, triples in between.items()}
        samples["floor"] = Sample.of([(floor, floor, floor) for floor in floors])
        return samples, (Ballot.objects.count() - ballots_before, posts)

    def vote_script(self, base, urls, path, seconds):
        """A wrk script whose every POST for `seconds` is a new voter's ballot on the driven question."""
        cookie, token = csrf_pair(base + urls["detail"])
        choice = self.question.choices.first()
        return _wrk.vote_script(
            path,
            body=f"csrfmiddlewaretoken={token}&choice={choice.pk}",
            headers={
                **HTTPS,
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"{settings.CSRF_COOKIE_NAME}={cookie}",
                # Django checks the Referer of a secure POST against the host.
                "Referer": "https://" + base.split("://", 1)[1] + urls["detail"],
            },
            voters=3_000 * seconds,  # more than this machine answers in that time
        )

    def compare(self, base, question, runs):
        """
        Run the shared side-by-side harness `runs` times against this server; return each page's
        median ratio, project ÷ tutorial.

        One run drives each page of each app for two 5-second rounds, so one slow moment of the
        machine (README, Performance) moves a page's ratio in that run; the median of a few runs
        leaves such a run out, as the floor samples do above.
        """
        if not COMPARE.exists():
            self.stderr.write(f"{COMPARE} is missing: no comparison with the tutorial app.")
            return None
        ratios = {page: [] for page in PAGES}
        for run in range(1, runs + 1):
            self.stdout.write(
                f"\nSide by side with the Django tutorial app ({COMPARE.name}, run {run} of {runs}):"
            )
            done = subprocess.run(
                [sys.executable, str(COMPARE), "--project-url", base, "--question", str(question.pk),
                 "--header", "X-Forwarded-Proto: https"],
                capture_output=True, text=True, check=True, timeout=900,
            )  # fmt: skip
            self.stdout.write(done.stdout)
            for page, ratio in tutorial_ratios(done.stdout).items():
                ratios[page].append(ratio)
        self.stdout.write(
            "x tutorial per run: "
            + "; ".join(f"{page} {', '.join(f'{r:.2f}' for r in found)}" for page, found in ratios.items())
        )
        return {page: median(found) if found else None for page, found in ratios.items()}

    def report(self, samples, queries, rss, boot, ballots, compared, options):
        self.stdout.write(
            f"\nPolls on gunicorn ({server_description(options)}), {options['connections']} connections, "
            f"{options['rounds']} samples x {options['seconds']} s per page, each between two of the floor; "
            "medians, and the slowest-fastest sample"
            + (f"; x tutorial: median of {options['compare_runs']} compare.py runs" if compared else "")
            + "\n"
        )
        header = f"{'page':8} {'req/s':>7} {'(range)':>11} {'x floor':>8} {'x tutorial':>10} {'p50 ms':>7}"
        self.stdout.write(header + f" {'p99 ms':>7} {'p99/floor':>9} {'queries':>7} {'non-2xx/3xx':>11}")
        missed = []
        for page in ("floor", *PAGES):
            f = samples[page]
            to_tutorial = (compared or {}).get(page)
            spread = f"{f.slowest:.0f}-{f.fastest:.0f}"
            self.stdout.write(
                f"{page:8} {f.rps:7.0f} {spread:>11} {f.to_floor:8.2f} {fmt(to_tutorial):>10} {f.p50:7.1f}"
                f" {f.p99:7.1f} {f.p99_to_floor:9.1f} {queries[page]:7d} {f.bad:11d}"
            )
            if page in FLOOR_TARGETS:
                if f.to_floor < FLOOR_TARGETS[page]:
                    missed.append(f"{page} at {f.to_floor:.2f} x floor (target {FLOOR_TARGETS[page]})")
                if to_tutorial is not None and to_tutorial < TUTORIAL_TARGETS[page]:
                    missed.append(f"{page} at {to_tutorial:.2f} x tutorial (target {TUTORIAL_TARGETS[page]})")
                if options["connections"] == 8 and f.p99_to_floor >= 4:
                    missed.append(f"{page} p99 at {f.p99_to_floor:.1f} x floor p99 (target < 4)")
                if f.bad:
                    missed.append(f"{page}: {f.bad} answers neither 2xx nor 3xx")
        added, posts = ballots
        self.stdout.write(
            f"\nvote: {posts} POSTs answered (and a few in flight), {added} new ballots counted"
        )
        self.stdout.write(f"RSS per worker after the run: {', '.join(f'{mb:.0f} MB' for mb in rss)}")
        self.stdout.write(f"gunicorn boot to first 200: {boot:.2f} s")
        # wrk counts the answers it read; the few POSTs in flight when it stops (after each run and
        # the warm-up) still vote.
        if not posts <= added <= posts + options["connections"] * (options["rounds"] + 1):
            missed.append("not every vote POST became exactly one new ballot")
        if max(rss) >= 80:
            missed.append(f"RSS per worker {max(rss):.0f} MB >= 80 MB")
        if boot >= 2:
            missed.append(f"boot {boot:.2f} s >= 2 s")
        self.stdout.write("Targets: " + ("all met." if not missed else "missed: " + "; ".join(missed)))


@dataclass(frozen=True)
class Sample:
    """
    One page's wrk figures over its samples: medians, the slowest and fastest sample, and the
    median ratios to the floor samples taken just before and after each.
    """

    rps: float
    slowest: float
    fastest: float
    to_floor: float
    p50: float
    p99: float
    p99_to_floor: float
    bad: int

    @classmethod
    def of(cls, triples):
        """From (floor before, page, floor after) wrk figures."""
        pages = [page for _, page, _ in triples]
        return cls(
            rps=median(page.rps for page in pages),
            slowest=min(page.rps for page in pages),
            fastest=max(page.rps for page in pages),
            to_floor=median(page.rps / mean([before.rps, after.rps]) for before, page, after in triples),
            p50=median(page.p50 for page in pages),
            p99=median(page.p99 for page in pages),
            p99_to_floor=median(page.p99 / mean([before.p99, after.p99]) for before, page, after in triples),
            bad=sum(page.bad for page in pages),
        )


def tutorial_ratios(table):
    """Each page's "x tutorial" figure from compare.py's table (pages it did not print are left out)."""
    ratios = {}
    for page in PAGES:
        row = re.search(rf"^{page}\s+([\d.]+\s+){{4}}([\d.]+)", table, re.MULTILINE)
        if row:
            ratios[page] = float(row.group(2))
    return ratios


def fmt(ratio):
    return "-" if ratio is None else f"{ratio:.2f}"


def page_urls(question):
    """The floor's URL and each page's, for the question driven."""
    return {
        "floor": reverse("bench-floor"),
        "list": reverse("polls:index"),
        "detail": question.get_absolute_url(),
        "results": reverse("polls:results", args=[question.pk]),
        "vote": reverse("polls:vote", args=[question.pk]),
    }


def queries_per_request(urls, question):
    """
    Count each page's queries in this process, with the same settings and database as the server.

    Pages are counted as wrk meets them: read before (so this worker keeps a copy, see polls.pages;
    and for the vote, this window's expired rate counters are gone), by a visitor without cookies.
    """
    client = Client(headers=HTTPS, SERVER_NAME="127.0.0.1")
    choice = question.choices.first()  # read here: a query inside the count would be the bench's own

    def visit(page, url):
        return client.post(url, {"choice": choice.pk}) if page == "vote" else client.get(url)

    counts = {}
    for page, url in urls.items():
        visit(page, url)
        client.cookies.clear()
        with CaptureQueriesContext(connection) as captured:
            response = visit(page, url)
        if response.status_code >= 400:
            raise CommandError(f"{url} answered {response.status_code} in process")
        counts[page] = len(captured)
        client.cookies.clear()  # every page as a first-time visitor, as wrk sees it
    return counts


def server_description(options):
    config = "gunicorn.conf.py" if Path("gunicorn.conf.py").exists() else "CLI flags"
    overrides = [
        f"{name}={options[name]}" for name in ("workers", "threads", "worker_class") if options[name]
    ]
    return ", ".join([config, *overrides])


def start_server(options):
    """Start gunicorn as production does, on loopback; return it and the seconds to its first 200."""
    command = [sys.executable, "-m", "gunicorn", "mysite.wsgi", "--no-control-socket",
               "--bind", f"127.0.0.1:{options['port']}"]  # fmt: skip
    if Path("gunicorn.conf.py").exists():
        command += ["--config", "gunicorn.conf.py"]
    else:  # until Heroku's gunicorn.conf.py lands: its documented defaults
        command += ["--workers", "2", "--worker-class", "sync"]
    for name in ("workers", "threads", "worker_class"):
        if options[name]:
            command += [f"--{name.replace('_', '-')}", str(options[name])]
    # The many synthetic voters differ only in the last X-Forwarded-For entry, which the vote rate
    # limit reads only behind Heroku's router: say so, as production does, or they would get 429s.
    env = {**os.environ, "POLLS_BENCH": "1", "POLLS_BEHIND_ROUTER": "1", "PORT": str(options["port"])}
    started = time.monotonic()
    server = subprocess.Popen(command, env=env, start_new_session=True, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{options['port']}{reverse('polls:index')}"
    while time.monotonic() - started < 30:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=HTTPS), timeout=5) as answer:
                if answer.status == 200:
                    return server, time.monotonic() - started
        except OSError:
            time.sleep(0.02)
        if server.poll() is not None:
            raise CommandError("gunicorn exited during boot; see its output above")
    os.killpg(server.pid, signal.SIGTERM)
    raise CommandError(f"{url} gave no 200 within 30 s")


def csrf_pair(form_url):
    """Return (CSRF cookie, form token) from the question page, as a browser would get them."""
    with urllib.request.urlopen(urllib.request.Request(form_url, headers=HTTPS), timeout=10) as answer:
        html = answer.read().decode()
        cookies = answer.headers.get_all("Set-Cookie")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    cookie = next(c for c in cookies if c.startswith(settings.CSRF_COOKIE_NAME + "="))
    return cookie.split(";", 1)[0].split("=", 1)[1], token


def worker_rss(master):
    """Resident memory of each gunicorn worker (the master's children), in MB."""
    listed = subprocess.run(["ps", "-o", "rss=", "--ppid", str(master)], capture_output=True, text=True)
    return [int(kb) / 1024 for kb in listed.stdout.split()]
