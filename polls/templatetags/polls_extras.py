import datetime

from django import template
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import format_html
from django.utils.translation import pgettext

from polls import wording

register = template.Library()


@register.simple_tag
def moment(value):
    """A <time> element: the UTC instant for machines, the visitor's zone (abbreviated) for people."""
    local = timezone.localtime(value)
    return format_html(
        '<time datetime="{}">{}</time>',
        value.astimezone(datetime.UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        # Each language writes dates its own way ("2 décembre 2026 à 15:30"): the format is translated.
        format_date(local, pgettext("date and time format", "j M Y, H:i T")),
    )


@register.filter
def join_texts(choices, separator):
    """The choices' texts joined by `separator`: "Red / Green / Blue"."""
    return separator.join(choice.choice_text for choice in choices)


@register.filter
def quoted(text):
    """An editor's text in the language's quotation marks, in its own direction (polls.wording)."""
    return wording.quoted(text)


@register.filter
def named_in_bold(choices):
    """The choices' texts in bold, listed as the language lists them: "Red, Blue and Green"."""
    return wording.listed(wording.strong(choice.choice_text) for choice in choices)


@register.filter
def versions(questions):
    """
    What a list of polls shows that can change, as a fragment's cache key: each question's id,
    `revision` (ballots, changes of state), `updated_at` (edits) and the visitor's own ballot.
    """
    return [(question.pk, question.revision, question.updated_at, question.voted) for question in questions]
