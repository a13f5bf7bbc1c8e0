"""
Editors' words inside the site's sentences, in the visitor's language (issue 23).

Question and choice texts are shown as typed, never translated, and in their own direction:
each sits in an element with dir="auto", so an Arabic or Hebrew choice reads right to left inside
an English or French sentence. The quotation marks and the "and" around them are the language's.
The results are HTML, safe to print: the editors' text is escaped here.
"""

from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import get_text_list
from django.utils.translation import gettext


def quoted(text):
    """`text` in the language's quotation marks: “Cats”, « Cats », „Cats“."""
    # Translators: quotation marks around a choice's or a poll's text, in your language's style.
    return format_html(gettext("“{text}”"), text=format_html('<span dir="auto">{}</span>', text))


def strong(text):
    return format_html('<strong dir="auto">{}</strong>', text)


def listed(parts):
    """HTML `parts` (already escaped) as the language lists them: “A”, “B” and “C”."""
    # Translators: the last link of a list: "Red, Blue and Green".
    return mark_safe(get_text_list([str(part) for part in parts], gettext("and")))  # noqa: S308  (parts are escaped)
