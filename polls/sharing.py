"""QR codes for sharing a poll, drawn as SVG on the server (no script, nothing inline to allow)."""

import io

import segno


def qr_svg(url):
    """Return a standalone SVG document encoding `url`."""
    buffer = io.BytesIO()
    # Error correction M survives a smudged phone screen; a quiet zone of 2 modules is enough on
    # the page's plain background.
    segno.make(url, error="m", micro=False).save(
        buffer, kind="svg", scale=4, border=2, dark="#111", light="#fff", title="QR code for " + url
    )
    return buffer.getvalue()
