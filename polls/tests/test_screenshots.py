"""Screenshots of the main pages at phone and desktop widths, light and dark, for people to look at,
in English, in French and in German (the longest words: they must wrap, not overflow).

They land in artifacts/screenshots/ (gitignored). The test also checks what a look would catch first:
the stylesheet applies the right scheme, nothing scrolls sideways, and tap targets are big enough.
"""

import pytest
from django.conf import settings
from django.urls import reverse

from .browsing import DESKTOP, PHONE, vote_for
from .showcase import found_receipt_url, make_showcase

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = settings.BASE_DIR / "artifacts" / "screenshots"
# Buttons, choices, the share field and the site navigation: at least 44 px high on a phone.
TAP_TARGETS = ".button, .option label, .share-url, .site-header nav a, .language-switcher select"
# The vote button's name in each language the pages are shot in; the browser asks for that language.
VOTE = {"en": "Vote", "fr": "Voter", "de": "Abstimmen"}


def background_brightness(page):
    """The body's background as the sum of its red, green and blue (0 black to 765 white)."""
    colour = page.evaluate("getComputedStyle(document.body).backgroundColor")
    return sum(int(part) for part in colour[colour.index("(") + 1 : -1].split(",")[:3])


@pytest.mark.parametrize("language", list(VOTE))
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_main_pages_look_right_on_phones_and_desktops(open_page, viewport, scheme, language):
    polls = make_showcase()
    page = open_page(viewport=viewport, color_scheme=scheme, locale=language)
    page.goto(polls.open.get_absolute_url())
    vote_for(page, "Plum", button=VOTE[language])
    pages = {
        "results": None,  # as it is now: just voted, with the message and the receipt
        "list": reverse("polls:index"),
        "detail": polls.multiple.get_absolute_url(),
        "embed": reverse("polls:embed", args=[polls.multiple.pk]),
        "error": reverse("polls:detail", args=[987654]),
        "closed-results": reverse("polls:results", args=[polls.closed.pk]),  # "Recount it yourself"
        "receipt": found_receipt_url(polls),
    }
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, path in pages.items():
        if path:
            page.goto(path)
        shot = SCREENSHOTS / f"{name}-{viewport['width']}-{scheme}-{language}.png"
        assert page.evaluate("document.documentElement.lang") == language, name
        page.screenshot(path=shot, full_page=True)
        assert shot.stat().st_size > 10_000, name
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], name
        brightness = background_brightness(page)
        assert brightness > 600 if scheme == "light" else brightness < 150, name
        if viewport is PHONE:
            heights = page.locator(TAP_TARGETS).evaluate_all(
                "targets => targets.map(target => target.getBoundingClientRect().height)"
            )
            assert min(heights) >= 44, name
