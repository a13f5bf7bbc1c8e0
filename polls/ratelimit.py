"""
A per-client limit on votes, counted in the database so that every app server sees the same count.

Fixed windows: each client address gets POLLS_VOTE_RATE_LIMIT votes per POLLS_VOTE_RATE_WINDOW
seconds. Each vote POST is counted once: on PostgreSQL a first ballot's own statement counts it
(voting.cast_first_ballot), any other POST by an upsert of its own (RateCounterQuerySet.hit()). The
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


class Hit:
    """One vote POST counted against its client's limit, in the window the moment falls in."""

    def __init__(self, key, *, limit, window, now):
        self.key, self.limit, self.window, self.now = key, limit, window, now
        self.started = int(now // window * window)
        self.hits = None  # the client's count in the window, this POST included, once counted

    @classmethod
    def of_vote(cls, request):
        """The vote POST's hit, not counted yet; None when the limit is off."""
        limit = settings.POLLS_VOTE_RATE_LIMIT
        if not limit:
            return None
        key = "vote:" + _client_key(client_address(request))
        hit = cls(key, limit=limit, window=settings.POLLS_VOTE_RATE_WINDOW, now=time.time())
        _expire_counters_before(hit.started)
        return hit

    def wait(self):
        """Seconds to wait before voting again, 0 within the limit. Counts the hit if nothing has."""
        if self.hits is None:
            self.hits = RateCounter.objects.hit(self.key, self.started)
        if self.hits <= self.limit:
            return 0
        if self.hits == self.limit + 1:
            logger.warning(
                "rate limit reached: %s sent %d requests within %d s", self.key, self.hits, self.window
            )
        return max(1, math.ceil(self.started + self.window - self.now))


@functools.lru_cache(maxsize=1)
def _expire_counters_before(started):
    """
    Delete the counters of earlier windows, once per window in each process: the cache holds the
    window done last. Housekeeping, not state: each process does it for itself, a DELETE that finds
    the rows gone costs an index probe, and a restart only does it once more. Asking the database
    on every vote whether the window had begun cost more than the vote's upsert itself.
    """
    RateCounter.objects.expire(started)


def too_many_votes(request, wait):
    """The 429 for a client that votes faster than any person can, with its Retry-After and a page."""
    response = render(request, "429.html", {"retry_after": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response
