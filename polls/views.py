"""The controllers: read the request, call the model layer, render or redirect."""

import operator

from django.contrib import messages
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_POST, require_safe

from mysite.middleware import RETRY_AFTER_SECONDS

from . import pages, paging, queries, ratelimit, sharing
from . import results as tallies
from .forms import VoteForm, plain_ballot
from .models import Question
from .voter import issued_lately, new_voter, read_voter, remember_voter
from .voting import Outcome, PollClosed, PollGone, VoteRefused, VoteUnconfirmed, cast_first_ballot, cast_vote

PAGE_SIZE = 20
# The query parameter by which a vote's redirect asks the page to confirm a new ballot (_counted).
VOTED = "voted"
# The 404's reason for a poll that does not exist, is not published, or went while a vote was on its way.
NO_SUCH_POLL = "No Question matches the given query."


@require_safe
def question_list(request, status="open"):
    """The open (or closed) polls, newest first, a page at a time (polls.paging)."""
    listing = queries.Listing(status, read_voter(request))
    page, rows = paging.window(listing, request.GET.get("page") or 1, PAGE_SIZE)

    def render_page():
        context = {
            "questions": listing.questions(rows),
            "page_obj": page,
            "is_paginated": page.number > 1 or page.has_next,
            "status": status,
        }
        return render(request, "polls/index.html", context)

    # The rows as read are the version: instances are made only for a page not kept yet.
    version = (status, page.has_next, rows, pages.minute() if listing.shows_time(rows) else None)
    return pages.serve(request, version, render_page)


def _question(pk):
    question = queries.public_question(pk)
    if question is None:
        raise Http404(NO_SUCH_POLL)
    return question


def _poll(pk):
    question, choices = queries.public_poll(pk)
    if question is None:
        raise Http404(NO_SUCH_POLL)
    return question, choices


def _held_choices(question, choices, voter):
    held = queries.held_choice_ids(question, voter)
    return [choice for choice in choices if choice.pk in held]


# Every stored field of a question, read in one call.
_question_row = operator.attrgetter(*(field.attname for field in Question._meta.concrete_fields))


def _version(question, held_ids):
    """Everything a question's page shows that can change, as read now (see polls.pages)."""
    return _question_row(question), sorted(held_ids), pages.minute() if question.closes_at else None


def _sharing(request, question, choices):
    """What a pasted link previews with: the canonical URL and a one-line description."""
    return {
        "share_url": sharing.absolute_url(request, question.get_absolute_url()),
        "description": "A poll: " + " / ".join(choice.choice_text for choice in choices),
    }


def _render_detail(request, question, choices, form, held, status=200, **extra):
    context = {
        **extra,
        **_sharing(request, question, choices),
        "question": question,
        "form": form,
        "options": form.options(selected=held),
        "held": held,
        "results_visible": question.results_visible_to(has_voted=bool(held)),
    }
    if question.is_closed():
        context["tally"] = tallies.tally(question, choices, held)
    return render(request, "polls/detail.html", context, status=status)


@require_safe
def detail(request, pk):
    question = _question(pk)
    voter = read_voter(request)
    held_ids = queries.held_choice_ids(question, voter)

    def render_page():
        choices = queries.public_choices(question)
        held = [choice for choice in choices if choice.pk in held_ids]
        form = VoteForm(question=question, choices=choices)
        notice = _voted_notice(request, held)
        return _render_detail(
            request, question, choices, form, held, csrf_token=pages.CSRF_SLOT, notice=notice
        )

    response = pages.serve(request, _version(question, held_ids), render_page, has_form=True)
    if voter is None and question.is_open():
        # The voter id comes with the form, so every POST of it (a double-click, a resubmission,
        # a second tab) carries the same id and meets the same ballot; an id first made by the
        # vote itself would give each of two simultaneous first POSTs a ballot of its own.
        remember_voter(response, new_voter())
    return response


@require_POST
def vote(request, pk):
    # Counted once: by a first ballot's own statement, or below by itself (polls.ratelimit).
    hit = ratelimit.Hit.of_vote(request)
    known = read_voter(request)
    voter = known or new_voter()
    # The browser keeps a cookie it was given lately; any other voter is (again) given one.
    renew = known is None or not issued_lately(request)
    picked = plain_ballot(request.POST)
    if picked:
        # Most POSTs are a first ballot: the database checks it and counts it in one statement,
        # without the poll read first (README, Performance). Whatever it leaves goes on below.
        try:
            counted = cast_first_ballot(question_id=pk, choice_ids=picked, voter=voter, hit=hit)
        except VoteUnconfirmed:
            return _unconfirmed_vote(request, pk, picked, voter)
        if counted:
            question, receipt = counted
            return _counted(request, question, voter, receipt, renew=renew)
    if hit is not None and (wait := hit.wait()):
        return ratelimit.too_many_votes(request, wait)
    question, choices = _poll(pk)
    if question.is_closed():
        return _closed(request, question, question.closes_at)
    form = VoteForm(request.POST, question=question, choices=choices)
    if form.is_valid():
        wanted = form.cleaned_data["choice"]
        try:
            receipt = cast_vote(question=question, choices=wanted, voter=voter)
        except PollGone:
            raise Http404(NO_SUCH_POLL) from None
        except PollClosed as refusal:
            # Closed since the poll was read above: say when, as the database had it then.
            return _closed(request, question, refusal.closes_at)
        except VoteRefused as refusal:
            form.add_error("choice", str(refusal))
        except VoteUnconfirmed:
            return _unconfirmed_vote(request, pk, {choice.pk for choice in wanted}, voter)
    if not form.is_valid():
        held = _held_choices(question, choices, known)
        return _render_detail(request, question, choices, form, held, status=400)

    return _counted(request, question, voter, receipt, renew=renew)


def _closed(request, question, closes_at):
    return render(request, "polls/closed.html", {"question": question, "closes_at": closes_at}, status=403)


def _counted(request, question, voter, receipt=None, *, renew=True):
    """
    Redirect to the page that shows the ballot, saying what the vote did.

    A new ballot (or, with `receipt` None, one found counted after the fact) is confirmed by that
    page itself: `?voted=1` asks it to say what the visitor's ballot holds, as read from the
    database, so the vote sets no cookie for it (README, Performance). A changed or repeated ballot
    is told in a flash message: what it held before, or that it was a repeat, only this request knows.
    """
    visible = question.results_visible_to(has_voted=True)
    url = reverse("polls:results" if visible else "polls:detail", args=[question.pk])
    if receipt is None or receipt.outcome is Outcome.CAST:
        url += f"?{VOTED}=1"
    else:
        messages.success(request, _receipt_message(receipt))
    response = HttpResponseRedirect(url)
    if renew:
        remember_voter(response, voter)
    return response


def _unconfirmed_vote(request, pk, wanted_ids, voter):
    """
    The connection died during COMMIT: look on a fresh connection whether the ballot was recorded.

    Counted: say so, as for any vote. Not counted: raise, and the 503 page of
    DatabaseUnavailableMiddleware says so. Still no database: say it cannot be told yet, and keep
    the voter cookie so the poll page shows the answer later (voting again is safe: a ballot holds
    one pick per voter, so a repeat changes nothing).
    """
    connection.close()
    try:
        question, choices = _poll(pk)
        held = _held_choices(question, choices, voter)
    except (OperationalError, InterfaceError):
        poll_url = reverse("polls:detail", args=[pk])
        response = render(request, "polls/vote_unconfirmed.html", {"poll_url": poll_url}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        remember_voter(response, voter)
        return response
    if {choice.pk for choice in held} != wanted_ids:
        raise OperationalError("the connection died before the vote's COMMIT reached the database")
    return _counted(request, question, voter)


def _receipt_message(receipt):
    """The flash message for a ballot changed or repeated (a new one's page says it: _voted_notice())."""
    now = _names(receipt.choices)
    if receipt.outcome is Outcome.CHANGED:
        return f"Your vote was changed from {_names(receipt.previous)} to {now}."
    return f"You already voted for {now}; your vote is unchanged."


def _voted_notice(request, held):
    """What a page reached by `?voted=1` says (see _counted): nothing to a visitor with no ballot."""
    if held and request.GET.get(VOTED) == "1":
        return f"Your vote for {_names(held)} was counted."
    return None


def _names(choices):
    names = [f"“{choice.choice_text}”" for choice in choices]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


@require_safe
def results(request, pk):
    question = _question(pk)
    held_ids = queries.held_choice_ids(question, read_voter(request))
    if not question.results_visible_to(has_voted=bool(held_ids)):
        return render(request, "polls/results_hidden.html", {"question": question}, status=403)

    def render_page():
        choices = queries.public_choices(question)
        held = [choice for choice in choices if choice.pk in held_ids]
        context = {
            **_sharing(request, question, choices),
            "question": question,
            "tally": tallies.tally(question, choices, held),
            "held": held,
            "notice": _voted_notice(request, held),
        }
        return render(request, "polls/results.html", context)

    return pages.serve(request, _version(question, held_ids), render_page)


@require_safe
@cache_control(max_age=86400, public=True)
def qr_code(request, pk):
    """The poll's canonical URL as a QR code in SVG, drawn on the server."""
    question = get_object_or_404(Question.objects.published(), pk=pk)
    url = sharing.absolute_url(request, question.get_absolute_url())
    return HttpResponse(sharing.qr_svg(url), content_type="image/svg+xml")


@never_cache
@require_safe  # uptime probes ask with HEAD
def health(request):
    """Answer 200 when the database answers, 503 when it does not; no cookie, no session."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
