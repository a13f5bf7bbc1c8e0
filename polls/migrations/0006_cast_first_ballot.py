"""
polls_cast_first_ballot(): a voter's first ballot on a question, written and committed by one
statement (see voting.cast_vote). PostgreSQL only; elsewhere every vote takes the general path.
"""

from django.db import migrations

from ._postgresql import on_postgresql

CREATE = """
CREATE FUNCTION polls_cast_first_ballot(
    wanted_question bigint, wanted_voter uuid, wanted_choices bigint[], moment timestamptz
) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    new_ballot bigint;
    moved integer;
BEGIN
    -- Nothing if the voter has a ballot already (or is writing one right now: this waits for it).
    INSERT INTO polls_ballot (question_id, voter, cast_at) VALUES (wanted_question, wanted_voter, moment)
    ON CONFLICT (voter, question_id) DO NOTHING
    RETURNING id INTO new_ballot;
    IF new_ballot IS NULL THEN
        RETURN false;
    END IF;
    INSERT INTO polls_vote (ballot_id, choice_id) SELECT new_ballot, unnest(wanted_choices);
    -- The counters last, in the order every vote takes them: the question, then its choices.
    UPDATE polls_question SET voter_count = voter_count + 1, revision = revision + 1
    WHERE id = wanted_question AND max_choices >= cardinality(wanted_choices)
        AND pub_date <= moment AND (closes_at IS NULL OR closes_at > moment);
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'PV001', MESSAGE = 'the poll refused the ballot';
    END IF;
    UPDATE polls_choice SET votes = votes + 1
    WHERE question_id = wanted_question AND id = ANY (wanted_choices);
    GET DIAGNOSTICS moved = ROW_COUNT;
    IF moved <> cardinality(wanted_choices) THEN
        RAISE EXCEPTION USING ERRCODE = 'PV001', MESSAGE = 'a choice is gone';
    END IF;
    RETURN true;
EXCEPTION
    -- Undo this block's writes (a savepoint's worth) and let the general path say why.
    WHEN SQLSTATE 'PV001' THEN
        RETURN false;
END $$
"""


create_function = on_postgresql(CREATE)
drop_function = on_postgresql("DROP FUNCTION polls_cast_first_ballot(bigint, uuid, bigint[], timestamptz)")


class Migration(migrations.Migration):

    dependencies = [
        ('polls', '0005_question_choice_count'),
    ]

    operations = [
        migrations.RunPython(create_function, drop_function),
    ]
