"""
polls_count_limited_first_ballot(): the vote rate limit's count and a first ballot in one statement.

It counts the request against its client's window in polls_ratecounter, as the limit's own upsert
does (RateCounterQuerySet.hit()), and answers with the count. Within the limit it then calls
polls_count_first_ballot() (migration 0009) and answers with what that answers; past it, it writes
no ballot. The count stays counted whatever the ballot does: the first ballot's EXCEPTION block
undoes only its own writes. A second round trip, statement and transaction for the count cost a vote
a tenth or more of its throughput (README, Performance).

The client's counter row is taken first and stays locked until the ballot commits, so two votes
from one address queue for each other; every vote takes its locks in the same order (the counter,
then the ballot, the question, its choices), and the general path counts its hit before its own
transaction, so no two votes wait on each other in a circle.

A function of its own, calling 0009's: the dynos of the release before call polls_count_first_ballot()
while the release phase migrates, and a vote with the limit off still calls it alone.
"""

from django.db import migrations

from ._postgresql import on_postgresql

CREATE = """
CREATE FUNCTION polls_count_limited_first_ballot(
    rate_key varchar, rate_started bigint, rate_limit integer,
    wanted_question bigint, wanted_voter uuid, wanted_choices bigint[], moment timestamptz,
    OUT hits integer,
    OUT visibility varchar, OUT closing timestamptz, OUT counted_ids bigint[], OUT counted_texts varchar[]
) LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO polls_ratecounter (key, started, hits) VALUES (rate_key, rate_started, 1)
    ON CONFLICT (key, started) DO UPDATE SET hits = polls_ratecounter.hits + 1
    RETURNING polls_ratecounter.hits INTO hits;
    IF hits > rate_limit THEN
        RETURN;
    END IF;
    SELECT first.visibility, first.closing, first.counted_ids, first.counted_texts
    INTO visibility, closing, counted_ids, counted_texts
    FROM polls_count_first_ballot(wanted_question, wanted_voter, wanted_choices, moment) AS first;
END $$
"""


create_function = on_postgresql(CREATE)
drop_function = on_postgresql(
    "DROP FUNCTION polls_count_limited_first_ballot(varchar, bigint, integer, bigint, uuid, bigint[], timestamptz)"
)


class Migration(migrations.Migration):

    dependencies = [
        ('polls', '0010_drop_cast_first_ballot'),
    ]

    operations = [
        migrations.RunPython(create_function, drop_function),
    ]
