"""
The poll in an <iframe> on another site (issue 22), and the choice it carries to the poll's page.

Browsers send this site's SameSite=Lax cookies to no frame on another site, so the frame can
neither know the visitor's ballot nor pass the CSRF check of a vote. Its form is therefore a GET
that opens the poll's own page in a new tab with the picked choices checked (choices_in_address()),
where "Vote" is the ordinary POST: its CSRF token, its voter cookie, one ballot per browser.
"""

from django.conf import settings
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import cache_control
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_cookie

from .models import Question, Vote
from .results import Tally
from .voter import read_voter

# The site's policy, except that any site may frame this page; every other page refuses frames.
FRAMED_ANYWHERE = {**settings.SECURE_CSP, "frame-ancestors": ["*"]}
# A poll has at most 50 choices a voter may pick (Question.max_choices); more values are not read.
MOST_CHOICES = 50


@require_safe
@vary_on_cookie
@cache_control(private=True, no_cache=True)
@xframe_options_exempt
@csp_override(FRAMED_ANYWHERE)
def embed(request, pk):
    """The poll, compact and without the site's header and footer: its form, or its results."""
    question = get_object_or_404(Question.objects.published(), pk=pk)
    held = Vote.objects.held_by(read_voter(request), question)
    choices = question.choices.all()  # read once, when a fragment not cached yet asks for them
    context = {
        "question": question,
        "choices": choices,
        "held": held,
        "results_visible": question.results_visible_to(has_voted=bool(held)),
        "tally": Tally(question, choices, held),
    }
    return render(request, "polls/embed.html", context)


def choices_in_address(request, question):
    """The ids of the question's choices that `?choice=` names (the embed's new tab); others are ignored."""
    # ASCII digits, fewer than a bigint's 19: anything else names no choice, and must not reach the query.
    values = request.GET.getlist("choice")[:MOST_CHOICES]
    wanted = {int(value) for value in values if value.isascii() and value.isdigit() and len(value) < 19}
    if not wanted:
        return set()
    return set(question.choices.filter(pk__in=wanted).order_by().values_list("pk", flat=True))
