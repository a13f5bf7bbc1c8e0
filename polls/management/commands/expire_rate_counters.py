import time

from django.conf import settings
from django.core.management.base import BaseCommand

from polls.models import RateCounter
from polls.ratelimit import window_start


class Command(BaseCommand):
    help = (
        "Delete the vote rate limit's counters of windows that have ended. Run it every few minutes "
        "or hours (Heroku Scheduler); the current window's counters are kept."
    )

    def handle(self, *args, **options):
        current = window_start(time.time(), settings.POLLS_VOTE_RATE_WINDOW)
        deleted, _ = RateCounter.objects.filter(started__lt=current).delete()
        self.stdout.write(f"Deleted {deleted} rate counter(s) of windows that have ended.")
