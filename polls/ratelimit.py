"""
A per-client limit on votes, counted in the database so that every app server sees the same count.

Fixed windows: each client address gets POLLS_VOTE_RATE_LIMIT votes per POLLS_VOTE_RATE_WINDOW
seconds. Checking costs one statement per vote (an upsert, RateCounterQuerySet.hit()), and the
first vote a process sees in each window also deletes the counters of the windows before it.
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


def retry_after(key, *, limit, window, now=None):
    """Count one request for `key`; return 0 when it is within the limit, else seconds to wait."""
    now = time.time() if now is None else now
    started = int(now // window * window)
    _expire_counters_before(started)
    hits = RateCounter.objects.hit(key, started)
    if hits <= limit:
        return 0
    if hits == limit + 1:
        logger.warning("rate limit reached: %s sent %d requests within %d s", key, hits, window)
    return max(1, math.ceil(started + window - now))


@functools.lru_cache(maxsize=1)
def _expire_counters_before(started):
    """
    Delete the counters of earlier windows, once per window in each process: the cache holds the
    window done last. Housekeeping, not state: each process does it for itself, a DELETE that finds
    the rows gone costs an index probe, and a restart only does it once more. Asking the database
    on every vote whether the window had begun cost more than the vote's upsert itself.
    """
    RateCounter.objects.expire(started)


def limit_votes(view):
    """Answer 429 with a Retry-After and a page to a client that votes faster than any person can."""

    @functools.wraps(view)
    def limited(request, *args, **kwargs):
        limit = settings.POLLS_VOTE_RATE_LIMIT
        if limit:
            key = "vote:" + _client_key(client_address(request))
            wait = retry_after(key, limit=limit, window=settings.POLLS_VOTE_RATE_WINDOW)
            if wait:
                response = render(request, "429.html", {"retry_after": wait}, status=429)
                response["Retry-After"] = str(wait)
                return response
        return view(request, *args, **kwargs)

    return limited
