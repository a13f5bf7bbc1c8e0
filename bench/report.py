"""Turn wrk's samples into the table `make bench` prints, and name every target a run misses."""

import re
from dataclasses import dataclass
from pathlib import Path
from statistics import mean, median

PAGES = ("list", "detail", "results", "vote")
# What open results pages ask every 2.5 s (issue 22), on a poll the run's votes leave alone: the
# tally unchanged (304, what nearly every poll gets) and changed (200), and the JSON API's 304.
# No target of their own: their rate is what 8 pages polling leave of the server (docs/live-results.md).
POLLING = ("live-304", "live-200", "json-304")
MEASURED = (*PAGES, *POLLING)
# The share of the tutorial app's requests/s each page must reach (issue 20, Speed; see
# bench/runner.py). The ratio to the floor is printed beside it for information only.
TUTORIAL_TARGETS = {"list": 1.3, "detail": 1.3, "results": 1.3, "vote": 0.8}


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


def server_description(options):
    config = "gunicorn.conf.py" if Path("gunicorn.conf.py").exists() else "CLI flags"
    overrides = [
        f"{name}={options[name]}" for name in ("workers", "threads", "worker_class") if options[name]
    ]
    return ", ".join([config, *overrides])


def report(samples, queries, rss, boot, ballots, compared, options):
    """Print the table, the run's checks and the Targets line: every target missed, and any not measured."""
    print(
        f"\nPolls on gunicorn ({server_description(options)}), {options['connections']} connections, "
        f"{options['rounds']} samples x {options['seconds']} s per page, each between two of the floor; "
        "medians, and the slowest-fastest sample"
        + (f"; x tutorial: median of {options['compare_runs']} compare.py runs" if compared else "")
        + "\n"
    )
    header = f"{'page':8} {'req/s':>7} {'(range)':>11} {'x floor':>8} {'x tutorial':>10} {'p50 ms':>7}"
    print(header + f" {'p99 ms':>7} {'p99/floor':>9} {'queries':>7} {'non-2xx/3xx':>11}")
    missed = []
    for page in ("floor", *MEASURED):
        f = samples[page]
        to_tutorial = (compared or {}).get(page)
        spread = f"{f.slowest:.0f}-{f.fastest:.0f}"
        print(
            f"{page:8} {f.rps:7.0f} {spread:>11} {f.to_floor:8.2f} {fmt(to_tutorial):>10} {f.p50:7.1f}"
            f" {f.p99:7.1f} {f.p99_to_floor:9.1f} {queries[page]:7d} {f.bad:11d}"
        )
        if page in TUTORIAL_TARGETS:
            if to_tutorial is not None and to_tutorial < TUTORIAL_TARGETS[page]:
                missed.append(f"{page} at {to_tutorial:.2f} x tutorial (target {TUTORIAL_TARGETS[page]})")
            if options["connections"] == 8 and f.p99_to_floor >= 4:
                missed.append(f"{page} p99 at {f.p99_to_floor:.1f} x floor p99 (target < 4)")
        if page != "floor" and f.bad:
            missed.append(f"{page}: {f.bad} answers neither 2xx nor 3xx")
    added, posts = ballots
    print(f"\nvote: {posts} POSTs answered (and a few in flight), {added} new ballots counted")
    print(f"RSS per worker after the run: {', '.join(f'{mb:.0f} MB' for mb in rss)}")
    print(f"gunicorn boot to first 200: {boot:.2f} s")
    # wrk counts the answers it read; the few POSTs in flight when it stops (after each run and
    # the warm-up) still vote.
    if not posts <= added <= posts + options["connections"] * (options["rounds"] + 1):
        missed.append("not every vote POST became exactly one new ballot")
    if max(rss) >= 80:
        missed.append(f"RSS per worker {max(rss):.0f} MB >= 80 MB")
    if boot >= 2:
        missed.append(f"boot {boot:.2f} s >= 2 s")
    verdict = "all met." if not missed else "missed: " + "; ".join(missed) + "."
    unmeasured = [page for page in PAGES if (compared or {}).get(page) is None]
    if unmeasured:  # --no-compare, or a page compare.py did not print
        verdict += f" Not measured: x tutorial for {', '.join(unmeasured)}."
    print("Targets: " + verdict)
