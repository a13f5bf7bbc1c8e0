"""
The ballots' trackers (polls.receipts) for ballots written without one, for 0015 and 0016.

Not a migration itself: Django's loader skips modules named with a leading underscore. The
derivation is polls.receipts' own: a receipt must never change, so neither may this.
"""

from polls.receipts import ballot_tracker

BATCH = 2000


def fill_trackers(apps, schema_editor):
    """Write the tracker of every ballot that has none, from its voter id and its question."""
    if schema_editor.connection.vendor == "postgresql":
        # Votes of the previous release's dynos (none is written without a tracker after this one)
        # wait until the migration commits, so none lands between this fill and what follows it.
        # A long transaction in the way fails the release, rather than queueing every vote behind it.
        schema_editor.execute("SET LOCAL lock_timeout = '3s'")
        schema_editor.execute("LOCK TABLE polls_ballot IN EXCLUSIVE MODE")
    Ballot = apps.get_model("polls", "Ballot")
    ballots = Ballot.objects.filter(tracker__isnull=True).order_by("pk").only("pk", "voter", "question_id")
    batch = []
    for ballot in ballots.iterator(chunk_size=BATCH):
        ballot.tracker = ballot_tracker(ballot.voter, ballot.question_id)
        batch.append(ballot)
        if len(batch) == BATCH:
            Ballot.objects.bulk_update(batch, ["tracker"])
            batch = []
    Ballot.objects.bulk_update(batch, ["tracker"])
