"""Serve a page by its version: an ETag for conditional GET, and this worker's copy of the HTML.

A page's version is everything it shows that can change: the rows as just read from the database
(every ballot bumps Question.revision, every edit its updated_at), the visitor's own ballot, the
address it links to, and the minute, for pages that say "closes in ...". A browser that holds that
version gets a 304; any other visitor gets the HTML this worker rendered for that version before,
so a page read a thousand times between two votes is rendered once. The database is still read on
every request, so nothing is ever served stale, and any worker can answer any request.
"""

import hashlib
import threading

from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers

# Stands in for the per-browser CSRF token inside a kept page; replaced on the way out.
CSRF_SLOT = "csrf0slot0for0a0kept0page"
# Enough for the pages being read right now; a page is a few kilobytes.
KEPT_PAGES = 500
_kept = {}  # read without the lock: a dict lookup is atomic
_writing = threading.Lock()


def minute():
    """The minute, in the version of a page whose text depends on the time ("closes in 3 hours")."""
    return timezone.now().replace(second=0, microsecond=0)


def serve(request, version, render, *, has_form=False):
    """
    Answer with the page render() makes, whose content `version` determines.

    A page with a flash message to show is rendered fresh with no validator: the message is shown
    once, so that answer must never be a 304 or be kept. A page with a form (`has_form`, its CSRF
    token in CSRF_SLOT) is valid in the browser only with the CSRF secret it was served with.
    """
    if request.COOKIES.get(CookieStorage.cookie_name):
        return _finish(request, render(), etag=None)
    key = _digest(request.get_host(), request.get_full_path(), version)
    secret = token = None
    if has_form:
        token = get_token(request)  # its secret, new for a first visit, goes out in the cookie
        secret = request.META["CSRF_COOKIE"]
    etag = f'"{_digest(key, secret)}"'
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        return _finish(request, not_modified, etag)
    body = _kept.get(key)
    if body is None:
        response = render()
        if response.status_code != 200:
            return response
        body = response.content
        with _writing:  # gthread workers: one thread at a time evicts and adds
            if len(_kept) >= KEPT_PAGES:
                del _kept[next(iter(_kept))]  # the oldest kept
            _kept[key] = body
    return _finish(request, HttpResponse(body), etag, token)


def _digest(*parts):
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def _finish(request, response, etag, token=None):
    if CSRF_SLOT.encode() in response.content:
        # A token is a fresh mask of the secret: making one costs 32 random draws, so reuse it.
        token = token or get_token(request)
        response.content = response.content.replace(CSRF_SLOT.encode(), token.encode())
    if etag:
        response["ETag"] = etag
    # What a page shows depends on the visitor's cookies; browsers must ask again (and get a 304).
    patch_vary_headers(response, ["Cookie"])
    patch_cache_control(response, private=True, no_cache=True)
    return response
