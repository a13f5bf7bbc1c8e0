"""
Checking a poll (issue 24, docs/receipts.md): a receipt's ballot, and the public ballot list.

Both read the database alone, as every page does: a receipt is looked up by its tracker, the list
is streamed from the Vote rows in tracker order.
"""

from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition, require_safe

from . import ballot_list, receipts
from .models import Question
from .views import NO_SUCH_POLL


@require_safe
@cache_control(private=True, no_store=True)  # it shows how the receipt's holder voted: keep no copy
def receipt(request, pk):
    """What the ballot holding the receipt in `?receipt=` holds: 200, or 404 for none; a form without one."""
    question = get_object_or_404(Question.objects.published(), pk=pk)
    typed = request.GET.get("receipt", "").strip()
    code = receipts.normalized(typed)
    choices = []
    if code is not None:
        # The ballot by (question, tracker), the ballot list's index, then its few votes.
        on_ballot = question.choices.filter(
            ballot_votes__ballot__question=question, ballot_votes__ballot__tracker=receipts.tracker(code)
        )
        choices = list(on_ballot)
    context = {
        "question": question,
        "typed": typed,
        "code": code,
        "tracker": receipts.tracker(code) if choices else None,
        "choices": choices,
    }
    response = render(request, "polls/receipt.html", context, status=200 if choices or not typed else 404)
    # The address holds a receipt: no search engine keeps it, no link out of the page carries it.
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _question(request, pk):
    """The published question `pk` (None for none), read once: condition()'s ETag and the view both ask."""
    if not hasattr(request, "listed_question"):
        request.listed_question = Question.objects.published().filter(pk=pk).first()
    return request.listed_question


def _list_version(request, pk):
    """The ETag: what the list shows changes only with the question's row (its revision, an edit)."""
    question = _question(request, pk)
    if question is None or not question.ballot_list_published():
        return None
    return f"{question.pk}.{question.revision}.{question.updated_at.timestamp()}"


@require_safe
@cache_control(public=True, no_cache=True)
@condition(etag_func=_list_version)
def ballots_csv(request, pk):
    """The closed poll's ballot list as CSV (polls.ballot_list), streamed; until then, a 404 saying why."""
    question = _question(request, pk)
    if question is None:
        raise Http404(NO_SUCH_POLL)
    if not question.ballot_list_published():
        return render(request, "polls/ballot_list_hidden.html", {"question": question}, status=404)
    choices = list(question.choices.all())
    response = StreamingHttpResponse(
        ballot_list.csv_lines(question, choices), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="poll-{question.pk}-ballots.csv"'
    # Public data, for a recount script on any site as much as for a spreadsheet.
    response["Access-Control-Allow-Origin"] = "*"
    return response
