"""
polls_count_first_ballot(): polls_cast_first_ballot() (migration 0006) as the vote view now calls it,
before it has read the poll. It also checks that the poll is public (two choices or more), and
answers with what the voter's next page needs: the results' visibility, the closing time and the
counted choices in their order. One statement for the poll read, the form's checks and the ballot
(see voting.cast_first_ballot).

A function of its own, beside 0006's rather than in its place: the dynos of the previous release go
on serving while the release phase migrates, and they call polls_cast_first_ballot() and read its
boolean answer. A later release, once none calls it, drops it.
"""

from django.db import migrations

from ._postgresql import on_postgresql

CREATE = """
CREATE FUNCTION polls_count_first_ballot(
    wanted_question bigint, wanted_voter uuid, wanted_choices bigint[], moment timestamptz,
    OUT visibility varchar, OUT closing timestamptz, OUT counted_ids bigint[], OUT counted_texts varchar[]
) LANGUAGE plpgsql AS $$
DECLARE
    new_ballot bigint;
    moved integer;
BEGIN
    -- Nothing if the voter has a ballot already (or is writing one right now: this waits for it).
    INSERT INTO polls_ballot (question_id, voter, cast_at) VALUES (wanted_question, wanted_voter, moment)
    ON CONFLICT (voter, question_id) DO NOTHING
    RETURNING id INTO new_ballot;
    IF new_ballot IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO polls_vote (ballot_id, choice_id) SELECT new_ballot, unnest(wanted_choices);
    -- The counters last, in the order every vote takes them: the question, then its choices.
    -- The question counts the ballot only while it is public (QuestionQuerySet.published()), open,
    -- and takes that many choices.
    UPDATE polls_question SET voter_count = voter_count + 1, revision = revision + 1
    WHERE id = wanted_question AND max_choices >= cardinality(wanted_choices) AND choice_count >= 2
        AND pub_date <= moment AND (closes_at IS NULL OR closes_at > moment)
    RETURNING results_visibility, closes_at INTO visibility, closing;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'PV001', MESSAGE = 'the poll refused the ballot';
    END IF;
    WITH counted AS (
        UPDATE polls_choice SET votes = votes + 1
        WHERE question_id = wanted_question AND id = ANY (wanted_choices)
        RETURNING id, position, choice_text
    )
    SELECT array_agg(id ORDER BY position, id), array_agg(choice_text ORDER BY position, id), count(*)
    INTO counted_ids, counted_texts, moved FROM counted;
    IF moved <> cardinality(wanted_choices) THEN
        RAISE EXCEPTION USING ERRCODE = 'PV001', MESSAGE = 'a choice is not one of the poll''s';
    END IF;
EXCEPTION
    -- Undo this block's writes (a savepoint's worth), answer nothing, and let the general path
    -- say why. The OUT values keep what was assigned before the exception: clear them.
    WHEN SQLSTATE 'PV001' THEN
        visibility := NULL;
        closing := NULL;
        counted_ids := NULL;
        counted_texts := NULL;
END $$
"""


create_function = on_postgresql(CREATE)
drop_function = on_postgresql("DROP FUNCTION polls_count_first_ballot(bigint, uuid, bigint[], timestamptz)")


class Migration(migrations.Migration):

    dependencies = [
        ('polls', '0008_redundant_fk_indexes'),
    ]

    operations = [
        migrations.RunPython(create_function, drop_function),
    ]
