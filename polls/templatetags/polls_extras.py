import datetime

from django import template
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def moment(value):
    """A <time> element: the UTC instant for machines, the visitor's zone (abbreviated) for people."""
    local = timezone.localtime(value)
    return format_html(
        '<time datetime="{}">{}</time>',
        value.astimezone(datetime.UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        format_date(local, "j M Y, H:i T"),
    )


@register.filter
def join_texts(choices, separator):
    """The choices' texts joined by `separator`: "Red / Green / Blue"."""
    return separator.join(choice.choice_text for choice in choices)


@register.filter
def versions(questions):
    """
    What a list of polls shows that can change, as a fragment's cache key: each question's id,
    `revision` (ballots, changes of state), `updated_at` (edits) and the visitor's own ballot.
    """
    return [(question.pk, question.revision, question.updated_at, question.voted) for question in questions]
