"""What must hold after anything at all has happened to the site."""

from django.db.models import Count, F

from polls.models import Ballot, Choice, Question


def assert_counts_consistent():
    """Every counter equals the rows it counts, and no voter holds two ballots on one question."""
    drifted = Choice.objects.annotate(rows=Count("ballot_votes")).exclude(votes=F("rows"))
    assert not drifted.exists(), list(drifted.values("pk", "votes", "rows"))
    miscounted = Question.objects.annotate(rows=Count("ballots")).exclude(voter_count=F("rows"))
    assert not miscounted.exists(), list(miscounted.values("pk", "voter_count", "rows"))
    doubled = Ballot.objects.values("question", "voter").annotate(n=Count("pk")).filter(n__gt=1)
    assert not doubled.exists()
