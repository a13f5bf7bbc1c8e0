"""One poll of every kind the site shows, and the pages a plain GET reaches, for page-by-page checks."""

import datetime
from types import SimpleNamespace

from django.urls import reverse
from django.utils import timezone

from polls.models import Question, ResultsVisibility
from polls.receipts import receipt_code
from polls.voting import cast_vote

from .factories import make_question, make_voter

DAY = datetime.timedelta(days=1)


def make_showcase():
    """
    Create an open, a multiple-choice, a closed and a results-hidden poll, with a few votes, and the
    voter who cast the closed poll's first ballot (a receipt to look up).
    """
    now = timezone.now()
    polls = SimpleNamespace(
        open=make_question(
            question_text="Which colour should the new logo be?",
            choices=("Teal", "Tangerine", "Plum"),
            closes_at=now + 3 * DAY,
        ),
        multiple=make_question(
            question_text="Which features should Polls build next?",
            choices=("Ranked-choice voting", "Email reminders", "Embeddable widget", "CSV import"),
            max_choices=2,
        ),
        closed=make_question(
            question_text="Best time for the team meeting?",
            choices=("Monday 10:00", "Wednesday 14:00", "Friday 09:00"),
            pub_date=now - 10 * DAY,
            closes_at=now + DAY,
        ),
        hidden=make_question(
            question_text="Which database do you trust with your votes?",
            choices=("PostgreSQL", "SQLite", "MySQL / MariaDB"),
            results_visibility=ResultsVisibility.AFTER_CLOSE,
            closes_at=now + 7 * DAY,
        ),
        voter=make_voter(),
    )
    for question, voters, picks in (
        (polls.open, [make_voter() for _ in range(5)], [0, 0, 1, 2, 0]),
        (polls.closed, [polls.voter, make_voter(), make_voter()], [1, 1, 0]),
    ):
        choices = list(question.choices.all())
        for voter, index in zip(voters, picks, strict=True):
            cast_vote(question=question, choices=[choices[index]], voter=voter)
    # Votes are only taken while a poll is open: close this one after its ballots are in.
    Question.objects.filter(pk=polls.closed.pk).update(closes_at=now - 2 * DAY)
    return polls


def receipt_url(question, code):
    """The page that looks a receipt up on the question."""
    return f"{reverse('polls:receipt', args=[question.pk])}?receipt={code}"


def found_receipt_url(polls):
    """The lookup of a receipt that has a ballot: the showcase voter's, on the closed poll."""
    return receipt_url(polls.closed, receipt_code(polls.voter, polls.closed.pk))


def get_pages(polls):
    """The page types a plain GET reaches: name -> (path, expected status)."""
    nobodys = receipt_code(make_voter(), polls.open.pk)
    return {
        "open polls list": (reverse("polls:index"), 200),
        "closed polls list": (reverse("polls:closed"), 200),
        "open poll": (polls.open.get_absolute_url(), 200),
        "multiple-choice poll": (polls.multiple.get_absolute_url(), 200),
        "closed poll": (polls.closed.get_absolute_url(), 200),
        "results": (reverse("polls:results", args=[polls.open.pk]), 200),
        "results of a closed poll": (reverse("polls:results", args=[polls.closed.pk]), 200),
        "hidden results": (reverse("polls:results", args=[polls.hidden.pk]), 403),
        "embed": (reverse("polls:embed", args=[polls.multiple.pk]), 200),
        "embed of a closed poll": (reverse("polls:embed", args=[polls.closed.pk]), 200),
        "404 page": (reverse("polls:detail", args=[987654]), 404),
        "405 page": (reverse("polls:vote", args=[polls.open.pk]), 405),
        "receipt found": (found_receipt_url(polls), 200),
        "receipt unknown": (receipt_url(polls.open, nobodys), 404),
        "receipt malformed": (receipt_url(polls.open, "K7QM-2XWD"), 404),
        "receipt form": (reverse("polls:receipt", args=[polls.hidden.pk]), 200),
        "ballot list not yet published": (reverse("polls:ballots_csv", args=[polls.open.pk]), 404),
        "admin login": (reverse("admin:login"), 200),
    }
