import datetime

from django import template
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def moment(value):
    """A <time> element: machine-readable UTC inside, the site's zone (named) for people."""
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
