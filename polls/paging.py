"""Newer/older pages of a list without counting it: the count cost a scan of every published poll.

A page reads one row past its end to know whether an older page exists; that is all the list's
"Older" link needs, and it stays one cheap index scan however many polls there are.
"""

import re
from dataclasses import dataclass

from django.http import Http404


@dataclass(frozen=True)
class Window:
    """What index.html reads of a page (the names follow django.core.paginator.Page)."""

    number: int
    has_next: bool

    def has_previous(self):
        return self.number > 1

    def next_page_number(self):
        return self.number + 1

    def previous_page_number(self):
        return self.number - 1


def window(listing, number, size):
    """
    Return (Window, rows) for page `number` (a string from the URL); 404 for no such page.

    `listing` is a QuerySet (or anything sliced into a list).
    """
    # ASCII digits only, and few enough that the offset fits a bigint: str.isdigit() also accepts
    # "²" (which int() refuses) and any length (an OFFSET the database refuses), both 500s.
    if not re.fullmatch(r"[0-9]{1,9}", str(number)) or int(number) < 1:
        raise Http404("No such page.")
    number = int(number)
    rows = list(listing[(number - 1) * size : number * size + 1])
    if not rows and number > 1:
        raise Http404("No such page.")
    return Window(number=number, has_next=len(rows) > size), rows[:size]
