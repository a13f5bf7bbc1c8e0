"""Sharing a poll: its absolute link, a QR code drawn as SVG on the server, and its embed code."""

import io

import segno
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

# The embed code's frame, in CSS pixels: its question (two lines), status, button, note and link,
# then a row per choice (polls/embed.html at this width; a longer question scrolls inside the frame).
EMBED_WIDTH = 480
EMBED_BASE_HEIGHT = 400
EMBED_CHOICE_HEIGHT = 68


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


def embed_code(request, question, choices):
    """The <iframe> another site pastes to show the poll: tall enough for its `choices`."""
    src = absolute_url(request, reverse("polls:embed", args=[question.pk]))
    height = EMBED_BASE_HEIGHT + EMBED_CHOICE_HEIGHT * len(choices)
    title = _("Poll: %(question)s") % {"question": question.question_text}
    frame = '<iframe src="{}" title="{}" width="{}" height="{}" loading="lazy"></iframe>'
    return format_html(frame, src, title, EMBED_WIDTH, height)
