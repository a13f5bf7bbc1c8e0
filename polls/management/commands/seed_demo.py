import datetime
import uuid

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from polls.models import Choice, Question, ResultsVisibility
from polls.voting import cast_vote

DAY = datetime.timedelta(days=1)

# (question, choices, options); times are relative to now so the demo always has open,
# closing-soon and closed polls. "ballots" are the positions picked by as many demo voters.
DEMO_POLLS = [
    ("Which Django release are you running in production?", ["6.1", "6.0", "5.2 LTS", "Something older"], {}),
    (
        "Tabs or spaces?",
        ["Spaces, four of them", "Tabs", "Whatever the formatter says"],
        {"closes_in": 3 * DAY},
    ),
    (
        "Which features should Polls build next?",
        ["Ranked-choice voting", "Email reminders", "Embeddable widget", "CSV import", "Dark mode"],
        {"max_choices": 3},
    ),
    (
        "Where do you deploy your Django apps?",
        ["Heroku", "A VPS", "Kubernetes", "Serverless"],
        {"visibility": ResultsVisibility.AFTER_VOTE},
    ),
    (
        "Best time for the team meeting?",
        ["Monday 10:00", "Wednesday 14:00", "Friday 09:00"],
        # Voted on before it closed, so its public ballot list has rows to recount.
        {"published_ago": 10 * DAY, "closes_in": -2 * DAY, "ballots": [1, 1, 0, 1, 2, 0, 1]},
    ),
    (
        "Which database do you trust with your votes?",
        ["PostgreSQL", "SQLite", "MySQL / MariaDB"],
        {"visibility": ResultsVisibility.AFTER_CLOSE, "closes_in": 7 * DAY},
    ),
]


class Command(BaseCommand):
    help = "Create a handful of realistic demo polls. Safe to run again: existing ones are kept."

    @transaction.atomic
    def handle(self, *args, **options):
        now = timezone.now()
        created = 0
        for text, choices, extra in DEMO_POLLS:
            closes_in = extra.get("closes_in")
            closes_at = now + closes_in if closes_in is not None else None
            question, is_new = Question.objects.get_or_create(
                question_text=text,
                defaults={
                    "pub_date": now - extra.get("published_ago", DAY),
                    # Open while its demo ballots are cast (a closed poll takes none), closed after.
                    "closes_at": None if extra.get("ballots") else closes_at,
                    "max_choices": extra.get("max_choices", 1),
                    "results_visibility": extra.get("visibility", ResultsVisibility.ALWAYS),
                },
            )
            if is_new:
                created += 1
                created_choices = Choice.objects.bulk_create(
                    Choice(question=question, choice_text=choice, position=position)
                    for position, choice in enumerate(choices)
                )
                if extra.get("ballots"):
                    for position in extra["ballots"]:
                        cast_vote(question=question, choices=[created_choices[position]], voter=uuid.uuid4())
                    Question.objects.filter(pk=question.pk).update(closes_at=closes_at)
        self.stdout.write(f"{created} demo poll(s) created, {len(DEMO_POLLS) - created} already there.")
