"""One long word must not widen a page (issue 21): nothing scrolls sideways, whatever editors type."""

import pytest
from django.conf import settings
from django.urls import reverse

from .browsing import DESKTOP, PHONE, vote_for
from .factories import make_question

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = settings.BASE_DIR / "artifacts" / "screenshots"
LONG_WORD = ("Pneumono" + "ultramicroscopicsilicovolcanoconiosis" * 5)[:190]  # no break in 190 letters
LONG_LINK = "https://example.com/" + "a-path-without-spaces/" * 8


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_190_letter_word_wraps_on_every_page(open_page, viewport, scheme):
    question = make_question(
        question_text=f"Is {LONG_WORD}?",  # within the 200 characters a question holds
        choices=(LONG_WORD, "No", LONG_LINK[:200]),
    )
    page = open_page(viewport=viewport, color_scheme=scheme)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(question.get_absolute_url())
    pages = {"detail": None, "list": reverse("polls:index")}
    for name, path in pages.items():
        if path:
            page.goto(path)
        check_no_sideways_scroll(page, viewport, f"long-word-{name}-{viewport['width']}-{scheme}")
    page.goto(question.get_absolute_url())
    vote_for(page, LONG_WORD)  # lands on the results, with the message naming the choice
    assert LONG_WORD in page.text_content(".message")
    check_no_sideways_scroll(page, viewport, f"long-word-results-{viewport['width']}-{scheme}")


def check_no_sideways_scroll(page, viewport, name):
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"{name}: {width} px wide"
