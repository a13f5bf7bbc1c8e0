"""The results of chosen polls as a CSV download, streamed a row at a time."""

import csv
import itertools
from operator import itemgetter

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from .models import Choice
from .results import whole_percentages

# In the editor's language; the rows below are the editors' words and numbers, as they are.
HEADER = [
    gettext_lazy("question id"),
    gettext_lazy("question"),
    gettext_lazy("choice"),
    gettext_lazy("votes"),
    gettext_lazy("percentage"),
]

# A spreadsheet reads a cell starting with one of these as a formula: "CSV injection" (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Rows fetched from the database per round trip; the export never holds more than this at once
# (plus one question's choices, to compute its percentages).
CHUNK_SIZE = 2000

# The byte order mark lets Excel detect UTF-8; other readers skip it.
BOM = "\ufeff"


def defused(text):
    """Quote a cell that would run as a formula with a leading apostrophe, as OWASP recommends."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def result_rows(questions):
    """Yield one row per choice of `questions`: question id, question, choice, votes, percentage."""
    choices = (
        Choice.objects.filter(question__in=questions.order_by().values("pk"))
        .order_by("question_id", "position", "pk")
        .values_list("question_id", "question__question_text", "choice_text", "votes")
    )
    for _, group in itertools.groupby(choices.iterator(chunk_size=CHUNK_SIZE), key=itemgetter(0)):
        group = list(group)
        percentages = whole_percentages([votes for *_, votes in group])
        for (question_id, question, choice, votes), percent in zip(group, percentages, strict=True):
            yield [question_id, defused(question), defused(choice), votes, percent]


class Echo:
    """A file whose write() hands the line back, so csv.writer can feed a generator."""

    def write(self, line):
        return line


def results_csv_response(questions):
    """Stream the results of `questions` as a UTF-8 CSV attachment (with a BOM for Excel)."""
    writer = csv.writer(Echo())
    # Translated now, while the request's language is active, not when the stream is read.
    header = [str(name) for name in HEADER]
    lines = (writer.writerow(row) for row in itertools.chain([header], result_rows(questions)))
    response = StreamingHttpResponse(itertools.chain([BOM], lines), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="poll-results-{stamp}.csv"'
    return response
