"""
Times in the visitor's own zone: the one their browser keeps in a cookie (static/polls/timezone.js).

The cookie is plain, not signed: it names a zone, which anyone may pick, so there is nothing to
forge. Whatever it holds is only looked up, never stored, and a value that names no zone (a typo, a
path, a NUL byte, ten kilobytes) is ignored: the page is then in settings.TIME_ZONE, as it says.
See docs/time-zones.md.
"""

import functools
import zoneinfo

from django.utils import timezone

COOKIE_NAME = "polls_tz"


def zone_named(name):
    """The zone called `name` ("America/New_York"), or None if it names none this server knows."""
    # Only the zones the system lists by name: not a path, a typo or NUL byte (which ZoneInfo
    # would raise on), nor the posix/ and right/ copies ZoneInfo opens but PostgreSQL may not know
    # (the admin's date filters ask the database to convert times into the active zone).
    if name not in _listed_zones():
        return None
    return zoneinfo.ZoneInfo(name)


@functools.cache
def _listed_zones():
    """The IANA names the system's zone database lists (about 600), read once per process."""
    return frozenset(zoneinfo.available_timezones())


class TimeZoneMiddleware:
    """Show and read times in the zone the visitor's cookie names, else in settings.TIME_ZONE."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # override(None) is deactivate(): a request without the cookie never inherits the zone of
        # the request this thread served before it.
        with timezone.override(zone_named(request.COOKIES.get(COOKIE_NAME))):
            return self.get_response(request)
