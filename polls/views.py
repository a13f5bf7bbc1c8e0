"""
The controllers: read the request, call the model layer, render or redirect.

Every page reads what it shows from the database on every request (a question's row carries its
`revision` and `updated_at`), so any app server answers any request with the same page. Rendering
is saved by the template fragment cache, keyed by those values and the language
(polls/templates/polls). Pages carry the language switcher's form, with a CSRF token masked afresh
for every answer, so they are never the same bytes twice: no 304 for them (docs/i18n.md).
"""

from django.contrib import messages
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_cookie

from mysite.middleware import RETRY_AFTER_SECONDS

from . import embed, paging, receipts, sharing, wording
from .forms import VoteForm
from .models import Question, Vote
from .ratelimit import limit_votes
from .results import Tally
from .voter import RENEW_AFTER, new_voter, read_voter, remember_voter
from .voting import Outcome, PollClosed, PollGone, VoteRefused, VoteUnconfirmed, cast_vote

PAGE_SIZE = 20
# The query parameter by which a vote's redirect asks the page to confirm a new ballot (_counted).
VOTED = "voted"
# The 404's reason for a poll that does not exist, is not published, or went while a vote was on its way.
NO_SUCH_POLL = "No Question matches the given query."

# The public pages below say what depends on the visitor's cookies (their ballot, their CSRF
# token, their language), so browsers keep each for that visitor only and ask again before
# showing it.


@require_safe
@vary_on_cookie
@cache_control(private=True, no_cache=True)
def question_list(request, status="open"):
    """The open (or closed) polls, newest first, a page at a time (polls.paging)."""
    polls = Question.objects.open() if status == "open" else Question.objects.closed()
    polls = polls.with_voted(read_voter(request))
    page, questions = paging.window(polls, request.GET.get("page") or 1, PAGE_SIZE)
    context = {
        "questions": questions,
        "page_obj": page,
        "is_paginated": page.number > 1 or page.has_next,
        "status": status,
    }
    return render(request, "polls/index.html", context)


@require_safe
@vary_on_cookie
@cache_control(private=True, no_cache=True)
def detail(request, pk):
    question = get_object_or_404(Question.objects.published(), pk=pk)
    voter = read_voter(request)
    held, tracker = Vote.objects.ballot_of(voter, question)
    # Choices picked in the poll's embed on another site, to be counted by one press of the button.
    picked = embed.choices_in_address(request, question) if question.is_open() else set()
    notice = _voted_notice(request, question, held) or _picked_notice(picked, held)
    receipt = receipts.receipt_for(voter, question.pk, tracker)
    response = _render_detail(request, question, held=held, receipt=receipt, picked=picked, notice=notice)
    if voter is None and question.is_open():
        # The voter id comes with the form, so every POST of it (a double-click, a resubmission,
        # a second tab) carries the same id and meets the same ballot; an id first made by the
        # vote itself would give each of two simultaneous first POSTs a ballot of its own.
        remember_voter(response, new_voter())
    return response


def _render_detail(
    request, question, *, held, receipt, picked=(), form=None, choices=None, status=200, notice=None
):
    """
    The poll's page: its form while open (`form` bound on a refused vote), its results once closed,
    and the visitor's receipt. `picked` choices (from the address) are shown checked instead of the
    visitor's ballot.
    """
    checked = (picked or held) if form is None else form.checked_ids()
    # Read once, when a fragment not cached yet asks for them (polls/detail.html).
    choices = question.choices.all() if choices is None else choices
    context = {
        **_sharing(request, question, choices),
        "question": question,
        "choices": choices,
        "form": form,
        "checked": checked,
        "picked": tuple(sorted(picked)),  # a part of the form fragment's cache key
        "held": held,
        "receipt": receipt,
        "results_visible": question.results_visible_to(has_voted=bool(held)),
        "tally": Tally(question, choices, held),
        "notice": notice,
    }
    return render(request, "polls/detail.html", context, status=status)


@require_POST
@limit_votes
def vote(request, pk):
    question, choices = _poll(pk)
    if question.is_closed():
        return _closed(request, question, question.closes_at)
    # A cookie signed lately is kept as it is; any other voter is (again) given one.
    fresh = read_voter(request, max_age=RENEW_AFTER)
    known = fresh or read_voter(request)
    voter = known or new_voter()
    form = VoteForm(request.POST, question=question, choices=choices)
    if form.is_valid():
        wanted = form.cleaned_data["choice"]
        try:
            result = cast_vote(question=question, choices=wanted, voter=voter)
        except PollGone:
            raise Http404(NO_SUCH_POLL) from None
        except PollClosed as refusal:
            # Closed since the poll was read above: say when, as the database had it then.
            return _closed(request, question, refusal.closes_at)
        except VoteRefused as refusal:
            form.add_error("choice", str(refusal))
        except VoteUnconfirmed:
            return _unconfirmed_vote(request, pk, {choice.pk for choice in wanted}, voter)
        else:
            return _counted(request, question, voter, result, renew=fresh is None)
    held, tracker = Vote.objects.ballot_of(known, question)
    receipt = receipts.receipt_for(known, question.pk, tracker)
    return _render_detail(
        request, question, held=held, receipt=receipt, form=form, choices=choices, status=400
    )


def _poll(pk):
    """The published question `pk` and its choices, in their order; 404 if there is none."""
    question = get_object_or_404(Question.objects.published(), pk=pk)
    return question, list(question.choices.all())


def _closed(request, question, closes_at):
    return render(request, "polls/closed.html", {"question": question, "closes_at": closes_at}, status=403)


def _counted(request, question, voter, result=None, *, renew=True):
    """
    Redirect to the page that shows the ballot, saying what the vote did.

    A new ballot (or, with `result` None, one found counted after the fact) is confirmed by that
    page itself: `?voted=1` asks it to say what the visitor's ballot holds, as read from the
    database, so the address is safe to bookmark or paste. A changed or repeated ballot is told in
    a flash message: what it held before, or that it was a repeat, only this request knows.
    """
    visible = question.results_visible_to(has_voted=True)
    url = reverse("polls:results" if visible else "polls:detail", args=[question.pk])
    if result is None or result.outcome is Outcome.CAST:
        url += f"?{VOTED}=1"
    else:
        messages.success(request, _change_message(result))
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
        question, _ = _poll(pk)
        held = Vote.objects.held_by(voter, question)
    except (OperationalError, InterfaceError):
        poll_url = reverse("polls:detail", args=[pk])
        response = render(request, "polls/vote_unconfirmed.html", {"poll_url": poll_url}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        remember_voter(response, voter)
        return response
    if held != wanted_ids:
        raise OperationalError("the connection died before the vote's COMMIT reached the database")
    return _counted(request, question, voter)


def _change_message(result):
    """The flash message for a ballot changed or repeated (a new one's page says it: _voted_notice())."""
    now = _names(result.choices)
    if result.outcome is Outcome.CHANGED:
        return format_html(
            gettext("Your vote was changed from {before} to {now}."), before=_names(result.previous), now=now
        )
    return format_html(gettext("You already voted for {now}; your vote is unchanged."), now=now)


def _voted_notice(request, question, held):
    """What a page reached by `?voted=1` says (see _counted): nothing to a visitor with no ballot."""
    if held and request.GET.get(VOTED) == "1":
        choices = question.choices.filter(pk__in=held)
        return format_html(gettext("Your vote for {choices} was counted."), choices=_names(choices))
    return None


def _picked_notice(picked, held):
    """What a page opened from the embed with choices picked says: that they are not counted yet."""
    if not picked:
        return None
    if held:
        return gettext("Your pick is selected: press “Change vote” to count it instead of your vote.")
    return gettext("Your pick is selected: press “Vote” to count it.")


def _names(choices):
    """“Red”, “Blue” and “Green”, as the language quotes and lists them (HTML, safe to print)."""
    return wording.listed(wording.quoted(choice.choice_text) for choice in choices)


@require_safe
@vary_on_cookie
@cache_control(private=True, no_cache=True)
def results(request, pk):
    question = get_object_or_404(Question.objects.published(), pk=pk)
    voter = read_voter(request)
    held, tracker = Vote.objects.ballot_of(voter, question)
    if not question.results_visible_to(has_voted=bool(held)):
        return render(request, "polls/results_hidden.html", {"question": question}, status=403)
    choices = question.choices.all()  # read once, when a fragment not cached yet asks for them
    context = {
        **_sharing(request, question, choices),
        "question": question,
        "choices": choices,
        "tally": Tally(question, choices, held),
        "held": held,
        "receipt": receipts.receipt_for(voter, question.pk, tracker),
        "notice": _voted_notice(request, question, held),
    }
    return render(request, "polls/results.html", context)


def _sharing(request, question, choices):
    """What a pasted link previews with (the poll's canonical URL), and the poll's embed code."""
    return {
        "share_url": sharing.absolute_url(request, question.get_absolute_url()),
        # Called by the template only when the share fragment is not cached yet (it reads the choices).
        "embed_code": lambda: sharing.embed_code(request, question, choices),
    }


@require_safe
@cache_control(max_age=86400, public=True)
def qr_code(request, pk):
    """The poll's canonical URL as a QR code in SVG, drawn on the server."""
    question = get_object_or_404(Question.objects.published(), pk=pk)
    url = sharing.absolute_url(request, question.get_absolute_url())
    return HttpResponse(sharing.qr_svg(url), content_type="image/svg+xml")


@never_cache
@require_safe
def health(request):
    """Answer 200 when the database answers, 503 when it does not; no cookie, no session."""
    try:
        Question.objects.exists()
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
