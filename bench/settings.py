"""
Production settings plus Django's floor page: the bench measures the site exactly as a dyno runs it.

A settings module of its own, not a switch in mysite/settings.py, so production cannot route
/bench/floor/ by an environment variable.
"""

from mysite.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
