"""
Load-test list, question, results, vote and live polling on gunicorn with wrk; print figures and ratios.

    DATABASE_URL=postgres://... DJANGO_SETTINGS_MODULE=bench.settings python -m bench --help

`make bench` runs it on its own database; the data set replaces every poll in the one it is given.
"""

import argparse
import os
import sys

import django

from . import BenchError


def arguments():
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.strip().splitlines()[0])
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
    return vars(parser.parse_args())


def main():
    options = arguments()
    # The floor page is routed only by bench.settings; gunicorn is started with the same module.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    from . import runner  # it imports the models: only once Django is set up

    try:
        runner.benchmark(options)
    except BenchError as error:
        sys.exit(f"bench: {error}")


if __name__ == "__main__":
    main()
