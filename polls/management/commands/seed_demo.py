import datetime

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from polls.models import Choice, Question, ResultsVisibility

DAY = datetime.timedelta(days=1)

# (question, choices, options); times are relative to now so the demo always has open,
# closing-soon and closed polls.
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
        {"published_ago": 10 * DAY, "closes_in": -2 * DAY},
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
            question, is_new = Question.objects.get_or_create(
                question_text=text,
                defaults={
                    "pub_date": now - extra.get("published_ago", DAY),
                    "closes_at": now + closes_in if closes_in is not None else None,
                    "max_choices": extra.get("max_choices", 1),
                    "results_visibility": extra.get("visibility", ResultsVisibility.ALWAYS),
                },
            )
            if is_new:
                created += 1
                Choice.objects.bulk_create(
                    Choice(question=question, choice_text=choice, position=position)
                    for position, choice in enumerate(choices)
                )
        self.stdout.write(f"{created} demo poll(s) created, {len(DEMO_POLLS) - created} already there.")
