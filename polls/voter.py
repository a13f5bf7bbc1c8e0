"""The voter: a random id carried by the browser in a signed cookie.

The server remembers nothing about a browser. Any app server holding the same SECRET_KEY can read
the cookie; a forged or tampered one fails its signature and is treated as no cookie at all.
"""

import uuid

from django.conf import settings
from django.core import signing

COOKIE_NAME = "voter"
# A salt of its own, so no other signed value of this site can be replayed as a voter id.
SALT = "polls.voter"
# About two years: long enough to span any poll, short of browsers' caps on cookie lifetime.
MAX_AGE = 2 * 365 * 24 * 60 * 60
# A vote renews the cookie's two years only once this much of them has passed: most votes come a
# minute after the poll page issued the cookie, and there is no need to sign it again then.
RENEW_AFTER = 30 * 24 * 60 * 60


def read_voter(request, *, max_age=MAX_AGE):
    """The voter id the request carries, signed within `max_age` seconds; None for none, or forged."""
    try:
        value = request.get_signed_cookie(COOKIE_NAME, salt=SALT, max_age=max_age)
    except (KeyError, signing.BadSignature):  # SignatureExpired is a BadSignature
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


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
