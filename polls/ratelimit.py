"""
A per-client limit on votes, counted in the database so that every app server sees the same count.

Fixed windows: each client address gets POLLS_VOTE_RATE_LIMIT votes per POLLS_VOTE_RATE_WINDOW
seconds. @limit_votes counts each vote POST once, before the view does any work; the counters of
past windows are deleted by `manage.py expire_rate_counters` (Heroku Scheduler runs it), never by a
vote.
"""

import functools
import ipaddress
import logging
import math
import time

from django.conf import settings
from django.shortcuts import render

from .models import RateCounter

logger = logging.getLogger(__name__)


def client_address(request):
    """The client's IP address: the one Heroku's router saw when behind it, else the socket's peer."""
    if settings.POLLS_BEHIND_ROUTER:
        # The router appends the address it saw; every entry before it is whatever the client sent.
        forwarded = _ip(request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1])
        if forwarded:
            return forwarded
    return _ip(request.META.get("REMOTE_ADDR", ""))


def _ip(value):
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def _client_key(address):
    """One key per client: an IPv6 host usually holds a whole /64, so it counts as one."""
    if address and ":" in address:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return address or "unknown"


def window_start(now, window):
    """The start of the fixed window `now` falls in, in whole seconds since the epoch."""
    return int(now // window * window)


def seconds_to_wait(request):
    """Count this vote POST against its client; return the seconds to wait, 0 within the limit."""
    limit, window = settings.POLLS_VOTE_RATE_LIMIT, settings.POLLS_VOTE_RATE_WINDOW
    if not limit:
        return 0
    key = "vote:" + _client_key(client_address(request))
    now = time.time()
    started = window_start(now, window)
    hits = RateCounter.objects.hit(key, started)
    if hits <= limit:
        return 0
    if hits == limit + 1:
        logger.warning("rate limit reached: %s sent %d requests within %d s", key, hits, window)
    return max(1, math.ceil(started + window - now))


def limit_votes(view):
    """Decorate a vote view: past the client's limit, answer 429 before the view runs."""

    @functools.wraps(view)
    def limited(request, *args, **kwargs):
        if wait := seconds_to_wait(request):
            return too_many_votes(request, wait)
        return view(request, *args, **kwargs)

    return limited


def too_many_votes(request, wait):
    """The 429 for a client that votes faster than any person can, with its Retry-After and a page."""
    response = render(request, "429.html", {"retry_after": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response
