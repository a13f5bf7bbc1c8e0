"""
Drive every page with wrk on gunicorn and PostgreSQL, each sample between two of Django's floor,
then side by side with the Django tutorial app (../shared/bench/compare.py). The polling rows
(report.POLLING) are what an open results page asks every 2.5 s.

Ratios to the floor (a constant page through the same middleware, in the same run and server) are
the figures that hold on a shared, noisy machine; absolute requests/s drift from run to run.

The targets the report checks (bench/report.py) come from issue 20's Speed section: the list,
question and results pages at >= 1.3 x the tutorial app's requests/s and the vote POST at >= 0.8 x,
each the median of compare.py's runs. Issue 7's other targets stay: p99 at 8 connections under
4 x the floor's p99, every answer 2xx or 3xx, every vote POST exactly one new ballot, RSS per
worker < 80 MB, gunicorn boot to the first 200 < 2 s. Issue 7's shares of the floor are printed,
no longer checked.
"""

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from statistics import median

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from polls.models import Ballot, Question, ResultsVisibility

from . import BenchError, data, report, wrk
from .report import MEASURED, PAGES, Sample

HTTPS = {"X-Forwarded-Proto": "https"}  # as Heroku's router says it; SSL redirect stays on
COMPARE = settings.BASE_DIR.parent / "shared" / "bench" / "compare.py"


def benchmark(options):
    """Load the data set, start gunicorn, measure every page, compare, and print the report."""
    if connection.vendor != "postgresql":
        raise BenchError("make bench needs PostgreSQL: set BENCH_DATABASE_URL=postgres://...")
    call_command("migrate", verbosity=0)
    data.fill(replace=True)
    call_command("collectstatic", "--noinput", verbosity=0)
    # The poll the vote samples vote on, and one they leave alone for the polling rows' 304s.
    question, watched = Question.objects.open().filter(
        max_choices=1, results_visibility=ResultsVisibility.ALWAYS
    )[:2]
    base = f"http://127.0.0.1:{options['port']}"
    urls = page_urls(question, watched)
    headers = revalidating(urls)
    queries = queries_per_request(urls, question, headers)
    server, boot = start_server(options)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            samples, ballots = measure(base, urls, headers, question, options, Path(tmp))
        if revalidating(urls) != headers:
            raise BenchError("the polled poll changed during the run: its 304 rows measured 200s")
        rss = worker_rss(server.pid)
        compared = None if options["no_compare"] else compare(base, question, options["compare_runs"])
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    report.report(samples, queries, rss, boot, ballots, compared, options)


def measure(base, urls, headers, question, options, tmp):
    """
    Sample every page `rounds` times, each sample between two of the floor; return a Sample per
    page (and the floor's), with the ballots the vote samples added and their POSTs.

    The machine slows down for a second or two every few seconds, and for minutes now and then,
    whatever runs (the machine is shared). A page's sample is compared with the floor's just
    before and after it, which share its moment, and the median over the samples leaves out
    the ones a slowdown cut across.
    """
    run = {"seconds": options["seconds"], "connections": options["connections"]}
    # Written before any sample: each holds fresh voters, and writing one takes a moment.
    seconds, rounds = options["seconds"], options["rounds"]
    scripts = [vote_script(base, urls, question, tmp / f"vote-{n}.lua", seconds) for n in range(rounds + 1)]
    for page in ("floor", *MEASURED):  # warm up
        script = scripts[-1] if page == "vote" else None
        wrk.run(base + urls[page], script=script, headers=headers[page], **{**run, "seconds": 2})
    ballots_before, posts = Ballot.objects.count(), 0
    floors = [wrk.run(base + urls["floor"], headers=HTTPS, **run)]
    between = {page: [] for page in MEASURED}
    for script in scripts[:-1]:
        for page in MEASURED:
            print(f"  {page} ...", end="\r", flush=True)
            script_here = script if page == "vote" else None
            figures = wrk.run(base + urls[page], script=script_here, headers=headers[page], **run)
            floors.append(wrk.run(base + urls["floor"], headers=HTTPS, **run))
            between[page].append((floors[-2], figures, floors[-1]))
            posts += figures.requests if page == "vote" else 0
    samples = {page: Sample.of(triples) for page, triples in between.items()}
    samples["floor"] = Sample.of([(floor, floor, floor) for floor in floors])
    return samples, (Ballot.objects.count() - ballots_before, posts)


def vote_script(base, urls, question, path, seconds):
    """A wrk script whose every POST for `seconds` is a new voter's ballot on the driven question."""
    cookie, token = csrf_pair(base + urls["detail"])
    choice = question.choices.first()
    return wrk.vote_script(
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


def compare(base, question, runs):
    """
    Run the shared side-by-side harness `runs` times against this server; return each page's
    median ratio, project ÷ tutorial.

    One run drives each page of each app for two 5-second rounds, so one slow moment of the
    machine moves a page's ratio in that run; the median of a few runs
    leaves such a run out, as the floor samples do above.
    """
    if not COMPARE.exists():
        print(f"{COMPARE} is missing: no comparison with the tutorial app.", file=sys.stderr)
        return None
    # compare.py hands its environment down to the tutorial app, which has settings of its own.
    env = {name: value for name, value in os.environ.items() if name != "DJANGO_SETTINGS_MODULE"}
    ratios = {page: [] for page in PAGES}
    for run in range(1, runs + 1):
        print(f"\nSide by side with the Django tutorial app ({COMPARE.name}, run {run} of {runs}):")
        done = subprocess.run(
            [sys.executable, str(COMPARE), "--project-url", base, "--question", str(question.pk),
             "--header", "X-Forwarded-Proto: https"],
            env=env, capture_output=True, text=True, timeout=900,
        )  # fmt: skip
        if done.returncode:
            raise BenchError(f"{COMPARE.name} exited with {done.returncode}:\n{done.stdout}{done.stderr}")
        print(done.stdout)
        for page, ratio in report.tutorial_ratios(done.stdout).items():
            ratios[page].append(ratio)
    print(
        "x tutorial per run: "
        + "; ".join(f"{page} {', '.join(f'{r:.2f}' for r in found)}" for page, found in ratios.items())
    )
    return {page: median(found) if found else None for page, found in ratios.items()}


def page_urls(question, watched):
    """The floor's URL and each page's, for the question driven; the polling rows' for `watched`."""
    tally = reverse("polls:live_tally", args=[watched.pk])
    return {
        "floor": reverse("bench-floor"),
        "list": reverse("polls:index"),
        "detail": question.get_absolute_url(),
        "results": reverse("polls:results", args=[question.pk]),
        "vote": reverse("polls:vote", args=[question.pk]),
        "live-304": tally,
        "live-200": tally,
        "json-304": reverse("polls:results_json", args=[watched.pk]),
    }


def revalidating(urls):
    """
    The headers each page is asked with: a 304 row's carry the ETag its URL answers with now, as an
    open results page that holds the tally already does (one process's answer is every process's:
    the ETag is made of the database's values).
    """
    client = Client(headers=HTTPS, SERVER_NAME="127.0.0.1")
    headers = dict.fromkeys(urls, HTTPS)
    for page, url in urls.items():
        if page.endswith("-304"):
            headers[page] = {**HTTPS, "If-None-Match": client.get(url)["ETag"]}
    return headers


def queries_per_request(urls, question, headers):
    """
    Count each page's queries in this process, with the same settings and database as the server.

    Each page is counted as wrk meets it: by a first-time visitor without cookies, after one
    warm-up visit, so that what a process or a time window does once, on its first request, is
    not counted.
    """
    client = Client(headers=HTTPS, SERVER_NAME="127.0.0.1")
    choice = question.choices.first()  # read here: a query inside the count would be the bench's own

    def visit(page, url):
        if page == "vote":
            return client.post(url, {"choice": choice.pk})
        return client.get(url, headers=headers[page])

    counts = {}
    for page, url in urls.items():
        visit(page, url)
        client.cookies.clear()
        with CaptureQueriesContext(connection) as captured:
            response = visit(page, url)
        if response.status_code >= 400:
            raise BenchError(f"{url} answered {response.status_code} in process")
        counts[page] = len(captured)
        client.cookies.clear()  # every page as a first-time visitor, as wrk sees it
    return counts


def start_server(options):
    """
    Start gunicorn as production does, on loopback and with this process's settings module (the
    site plus the floor); return it and the seconds to its first 200.
    """
    command = [sys.executable, "-m", "gunicorn", "mysite.wsgi", "--no-control-socket",
               "--bind", f"127.0.0.1:{options['port']}"]  # fmt: skip
    if Path("gunicorn.conf.py").exists():
        command += ["--config", "gunicorn.conf.py"]
    else:  # until Heroku's gunicorn.conf.py lands: its documented defaults
        command += ["--workers", "2", "--worker-class", "sync"]
    for name in ("workers", "threads", "worker_class"):
        if options[name]:
            command += [f"--{name.replace('_', '-')}", str(options[name])]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE,
        # The many synthetic voters differ only in the last X-Forwarded-For entry, which the vote
        # rate limit reads only behind Heroku's router: say so, as production does, or they would
        # get 429s.
        "POLLS_BEHIND_ROUTER": "1",
        "PORT": str(options["port"]),
    }
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
            raise BenchError("gunicorn exited during boot; see its output above")
    os.killpg(server.pid, signal.SIGTERM)
    raise BenchError(f"{url} gave no 200 within 30 s")


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
