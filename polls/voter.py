"""The voter: a random id carried by the browser in a signed cookie.

The server remembers nothing about a browser. Any app server holding the same SECRET_KEY can read
the cookie; a forged or tampered one fails its signature and is treated as no cookie at all.
"""

import time
import uuid

from django.conf import settings
from django.core import signing

COOKIE_NAME = "voter"
# A salt of its own, so no other signed value of this site can be replayed as a voter id.
SALT = "polls.voter"
# About two years: long enough to span any poll, short of browsers' caps on cookie lifetime.
MAX_AGE = 2 * 365 * 24 * 60 * 60
# A vote renews the cookie's two years only once this much of them has passed: most votes come a
# minute after the poll page issued the cookie, and signing it again cost a vote a twentieth of its
# time (README, Performance).
RENEW_AFTER = 30 * 24 * 60 * 60


def read_voter(request):
    """Return the voter id the request carries, or None when it has none or a forged one."""
    value = request.get_signed_cookie(COOKIE_NAME, default=None, salt=SALT, max_age=MAX_AGE)
    if value is None:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def issued_lately(request):
    """
    Whether the voter cookie that read_voter() accepted on this request was signed within RENEW_AFTER.

    Reads the time that Django's TimestampSigner writes into the value (id:time:signature); its
    signature has been checked by read_voter(), so the time is the site's own.
    """
    value = request.COOKIES.get(COOKIE_NAME, "")
    try:
        signed_at = signing.b62_decode(value.rsplit(":", 2)[1])
    except (IndexError, ValueError):
        return False
    return time.time() - signed_at < RENEW_AFTER


def new_voter():
    return uuid.uuid4()


def remember_voter(response, voter):
    """Set (or renew) the voter cookie on the response."""
    response.set_signed_cookie(
        COOKIE_NAME,
        str(voter),
        salt=SALT,
        max_age=MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
