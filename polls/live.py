"""
Results that travel (issue 22): the tally a results page left open polls for, and the JSON API.

Both are asked for again and again with nothing changed (8 open results pages ask every few
seconds), so each answers If-None-Match from an ETag made of the question's row alone, read in one
query: its revision (moved by every ballot and change of state), updated_at (every edit), its
status (a poll closes by the clock, with no write) and, for the tally, the visitor's own ballot. A
304 renders nothing and reads no choice; a 200 comes from the fragment cache or the cache framework.
"""

from functools import wraps

from django.core.cache import cache
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import condition, require_safe
from django.views.decorators.vary import vary_on_cookie

from . import sharing
from .models import Question, ResultsVisibility, Status, Vote
from .results import Tally
from .voter import read_voter

# The unchanged JSON of a question stays this long in the cache; its key changes with what it shows.
JSON_CACHE_SECONDS = 600


class _Results:
    """The published question `pk` (None if there is none), the visitor's ballot on it, and whether
    the visitor may see its results, as the results page decides."""

    def __init__(self, request, pk, *, with_ballot):
        self.question = Question.objects.published().filter(pk=pk).first()
        self.held = set()
        self.visible = False
        if self.question is None:
            return
        # The JSON shows no ballot: it reads one only where the visibility rule needs it.
        if with_ballot or self.question.results_visibility == ResultsVisibility.AFTER_VOTE:
            self.held = Vote.objects.held_by(read_voter(request), self.question)
        self.visible = self.question.results_visible_to(has_voted=bool(self.held))

    def version(self):
        """What the answer shows, as an ETag; None when there is nothing to show (a 404 or a 403)."""
        if not self.visible:
            return None
        question = self.question
        parts = [question.pk, question.revision, question.updated_at.timestamp(), question.current_status()]
        return ".".join(map(str, [*parts, *sorted(self.held)]))


def _results(request, pk, *, with_ballot=True):
    """_Results for this request, read once: condition()'s ETag function and the view both ask."""
    if not hasattr(request, "poll_results"):
        request.poll_results = _Results(request, pk, with_ballot=with_ballot)
    return request.poll_results


def _tally_version(request, pk):
    return _results(request, pk).version()


@require_safe
@vary_on_cookie
@cache_control(private=True, no_cache=True)
@condition(etag_func=_tally_version)
def tally(request, pk):
    """The results page's tally alone, with a summary for screen readers, for static/polls/live.js."""
    results = _results(request, pk)
    question = results.question
    if question is None:
        raise Http404(_("No poll matches the given query."))
    if not results.visible:
        return render(request, "polls/results_hidden.html", {"question": question}, status=403)
    context = {"question": question, "tally": Tally(question, question.choices.all(), results.held)}
    return render(request, "polls/_live_tally.html", context)


def _readable_from_any_site(view):
    """
    Let a script on any site read the answers, errors and 304s included, without credentials:
    `Access-Control-Allow-Origin: *` and no Allow-Credentials, so a browser sends no cookie across
    sites. A method other than GET or HEAD gets a 405 in JSON.
    """

    @wraps(view)
    def readable(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.content:  # from require_safe
            allowed = response["Allow"]
            response = _error(_("Only GET and HEAD are allowed here."), 405)
            response["Allow"] = allowed
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return readable


def _error(message, status):
    return JsonResponse({"error": message}, status=status)


def _json_version(request, pk):
    return _results(request, pk, with_ballot=False).version()


# CSRF protects a write, and this view writes nothing: it refuses every unsafe method itself, so an
# API client's POST gets the 405 it can read rather than the HTML page of a CSRF failure.
@csrf_exempt
@_readable_from_any_site
@require_safe
@vary_on_cookie  # a voter cookie, sent from this site only, may unlock after-the-vote results
@cache_control(no_cache=True)
@condition(etag_func=_json_version)
def results_json(request, pk):
    """The results as GET /polls/<id>/results.json documents them (README.md)."""
    results = _results(request, pk, with_ballot=False)
    question = results.question
    if question is None:
        return _error(_("No published poll has this id."), 404)
    if not results.visible:
        if question.results_visibility == ResultsVisibility.AFTER_VOTE:
            return _error(_("This poll shows its results to those who voted, and to all once closed."), 403)
        return _error(_("This poll shows its results once it closes."), 403)
    url = sharing.absolute_url(request, question.get_absolute_url())
    key = f"poll-json:{results.version()}:{url}"
    return JsonResponse(cache.get_or_set(key, lambda: _json_body(request, question, url), JSON_CACHE_SECONDS))


def _json_body(request, question, url):
    tally = Tally(question, question.choices.all())
    ballots = reverse("polls:ballots_csv", args=[question.pk]) if question.ballot_list_published() else None
    return {
        "id": question.pk,
        "question": question.question_text,
        "url": url,
        "status": "closed" if question.current_status() == Status.CLOSED else "open",
        "published_at": question.pub_date.isoformat(),
        "closes_at": question.closes_at.isoformat() if question.closes_at else None,
        "max_choices": question.max_choices,
        "voters": tally.voters,
        "choices": [
            {"id": row.choice.pk, "text": row.choice.choice_text, "votes": row.votes, "percent": row.percent}
            for row in tally.rows
        ],
        # The public ballot list (polls.verify), once the poll is closed; null before, or if turned off.
        "ballots_csv": sharing.absolute_url(request, ballots) if ballots else None,
    }
