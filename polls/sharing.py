"""Sharing a poll: its absolute link, and a QR code drawn as SVG on the server (nothing inline)."""

import io

import segno
from django.conf import settings


def absolute_url(request, path):
    """
    `path` on the site's own origin, POLLS_SITE_URL; on the request's when that is unset.

    The request's Host header is the client's to choose (a port, another allowed name), and these
    URLs outlive the request: the QR code is cached publicly for a day.
    """
    if settings.POLLS_SITE_URL:
        return settings.POLLS_SITE_URL + path
    return request.build_absolute_uri(path)


def qr_svg(url):
    """Return a standalone SVG document encoding `url`."""
    buffer = io.BytesIO()
    # Error correction M survives a smudged phone screen; a quiet zone of 2 modules is enough on
    # the page's plain background.
    segno.make(url, error="m", micro=False).save(
        buffer, kind="svg", scale=4, border=2, dark="#111", light="#fff", title="QR code for " + url
    )
    return buffer.getvalue()
