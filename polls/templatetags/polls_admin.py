"""The admin index's "Recent activity": what voters and the schedule did lately and do next."""

from django import template
from django.utils.translation import gettext

from polls.models import Ballot, Question

register = template.Library()

ROWS = 5


@register.inclusion_tag("admin/polls/activity.html", takes_context=True)
def polls_activity(context):
    """Latest ballots, newest publications, and the next openings and closings (four queries)."""
    if not context["request"].user.has_perm("polls.view_question"):
        return {"sections": []}
    ballots = Ballot.objects.select_related("question").only("cast_at", "question__question_text")
    opening = Question.objects.scheduled().order_by("pub_date")
    closing = Question.objects.open().exclude(closes_at=None).order_by("closes_at")
    return {
        "sections": [
            (gettext("Latest ballots"), [(ballot.question, ballot.cast_at) for ballot in ballots[:ROWS]]),
            (gettext("Published lately"), [(q, q.pub_date) for q in Question.objects.published()[:ROWS]]),
            (gettext("Opening next"), [(q, q.pub_date) for q in opening[:ROWS]]),
            (gettext("Closing next"), [(q, q.closes_at) for q in closing[:ROWS]]),
        ]
    }
