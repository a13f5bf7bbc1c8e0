from django.core.management.base import BaseCommand, CommandError

from polls import counts
from polls.models import Choice, Question


class Command(BaseCommand):
    help = (
        "Check that every Choice.votes equals its Vote rows and every Question's ballot count its "
        "Ballot rows; with --repair, set the counters that disagree to the row counts."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--repair",
            action="store_true",
            help="Fix each counter that disagrees with its rows (one transaction per question).",
        )

    def handle(self, *args, repair, **options):
        if repair:
            fixed = counts.repair()
            for mismatch in fixed:
                self.stdout.write(f"Fixed {mismatch}; now {mismatch.rows}.")
            self.stdout.write(self.style.SUCCESS(f"Repaired {len(fixed)} counter(s)."))
            return
        found = counts.mismatches()
        if found:
            for mismatch in found:
                self.stderr.write(str(mismatch))
            # A nonzero exit, so a cron job or a deploy step notices.
            raise CommandError(f"{len(found)} counter(s) disagree with their rows; run with --repair.")
        self.stdout.write(
            self.style.SUCCESS(
                f"All counts match: {Question.objects.count()} questions, {Choice.objects.count()} choices."
            )
        )
