from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from polls import ballot_list
from polls.models import Question


class Command(BaseCommand):
    help = (
        "Recount a poll from its ballot list (/polls/<id>/ballots.csv), as anyone can in a spreadsheet, "
        "and check the sums against the counters its results show. Exits nonzero if they disagree."
    )

    def add_arguments(self, parser):
        parser.add_argument("question_id", type=int, help="The poll's id, as in /polls/<id>/.")

    def handle(self, *args, question_id, **options):
        with transaction.atomic():
            # The lock every vote takes before it moves a counter: no ballot lands between the
            # list and the counters it is checked against, even on a poll still open.
            questions = Question.objects.filter(pk=question_id)
            if not questions.lock():
                raise CommandError(f"There is no poll {question_id}.")
            question = questions.get()
            choices = list(question.choices.all())
            recount = ballot_list.recount(question, choices)
        self._report(question, recount)
        if not recount.agrees:
            raise CommandError(f"The ballot list of poll {question_id} does not agree with its counters.")

    def _report(self, question, recount):
        if not question.ballot_list_published():
            self.stdout.write(f"Poll {question.pk}’s ballot list is not public; recounting it all the same.")
        self.stdout.write(f"Poll {question.pk}: “{question}”")
        rows = [("ballots", recount.ballots_listed, recount.ballots_counted)]
        labels = [f"“{choice}”" for choice in recount.choices]
        rows += zip(labels, recount.listed, recount.counted, strict=True)
        width = max(len(label) for label, *_ in rows)
        self.stdout.write(f"  {'':{width}}  {'list':>8}  {'counter':>8}")
        for label, listed, counted in rows:
            verdict = "" if listed == counted else self.style.ERROR("  differs")
            self.stdout.write(f"  {label:{width}}  {listed:>8}  {counted:>8}{verdict}")
        for fault in recount.faults:
            self.stderr.write(fault)
        if recount.agrees:
            self.stdout.write(
                self.style.SUCCESS(f"The list of {recount.ballots_listed} ballots sums to the counters.")
            )
