"""cast_vote() under real concurrency: threads, each on its own PostgreSQL connection, at once.

Every test ends with exact counts and with every counter equal to its rows. Thread counts stay
at 16 or fewer: the PostgreSQL server is shared, and 16 connections racing on one question row
already queue up behind its lock.
"""

import itertools
import random
import threading
import time
from collections import Counter

import pytest
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse

from polls import counts
from polls.counts import mismatches
from polls.models import Ballot, Question, RateCounter, Vote
from polls.voting import Outcome, cast_vote

from .admin_helpers import change_url, errors_of, existing, make_editor, question_data
from .factories import make_question, make_voter

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.usefixtures("postgres"),
]

THREADS = 16


def at_once(tasks):
    """Run each task in a thread of its own, released together; return their results in order."""
    barrier = threading.Barrier(len(tasks))
    results = [None] * len(tasks)

    def run(index, task):
        try:
            connection.ensure_connection()  # connect first, so the race is on the votes
            barrier.wait(timeout=30)
            results[index] = task()
        except BaseException as error:  # kept and asserted on below, so no failure is lost
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(tasks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (a lock never released?)"
    errors = [result for result in results if isinstance(result, BaseException)]
    assert not errors, errors
    return results


def casting(question, plan):
    """A task that casts each (voter, choices) of the plan in turn and returns the results."""
    return lambda: [
        (voter, cast_vote(question=question, choices=picks, voter=voter)) for voter, picks in plan
    ]


def ballots_of(question):
    """{voter: set of choice ids} as the database holds it."""
    held = {}
    for voter, choice_id in Vote.objects.filter(ballot__question=question).values_list(
        "ballot__voter", "choice_id"
    ):
        held.setdefault(voter, set()).add(choice_id)
    return held


def ids(choices):
    return frozenset(choice.pk for choice in choices)


def serial_history(results, initial=frozenset()):
    """The ballot after these results, if some one-at-a-time order of them explains them all."""
    for order in itertools.permutations(results):
        held = initial
        for result in order:
            previous, now = ids(result.previous), ids(result.choices)
            expected = Outcome.CAST if not held else Outcome.UNCHANGED if held == now else Outcome.CHANGED
            if result.outcome is not expected or (held and previous != held):
                break
            held = now
        else:
            return held
    raise AssertionError(f"no serial order explains {results}")


def assert_exact(question, expected_ballots):
    """The database holds exactly these ballots, and every counter equals its rows."""
    assert ballots_of(question) == expected_ballots
    tally = Counter(pk for picks in expected_ballots.values() for pk in picks)
    assert {c.pk: c.votes for c in question.choices.all()} == {
        c.pk: tally[c.pk] for c in question.choices.all()
    }
    question.refresh_from_db()
    assert question.voter_count == len(expected_ballots) == Ballot.objects.filter(question=question).count()
    assert mismatches() == []


def test_distinct_voters_voting_at_once_are_each_counted_once():
    question = make_question(choices=("Red", "Green", "Blue"))
    choices = list(question.choices.all())
    plans = [[(make_voter(), [choices[(t + i) % 3]]) for i in range(10)] for t in range(THREADS)]
    results = [r for result in at_once([casting(question, plan) for plan in plans]) for r in result]
    assert len(results) == 160
    assert all(result.outcome is Outcome.CAST for _, result in results)
    assert_exact(question, {voter: set(ids(picks)) for plan in plans for voter, picks in plan})
    question.refresh_from_db()
    assert question.revision == 160


def test_one_voter_submitting_from_many_threads_at_once_gets_one_ballot():
    question = make_question()
    yes = question.choices.get(choice_text="Yes")
    voters = [make_voter() for _ in range(5)]
    for voter in voters:  # five rounds, a fresh voter each, every thread with the same pick
        outcomes = Counter(
            result.outcome
            for [(_, result)] in at_once([casting(question, [(voter, [yes])]) for _ in range(12)])
        )
        assert outcomes == {Outcome.CAST: 1, Outcome.UNCHANGED: 11}
    assert_exact(question, {voter: {yes.pk} for voter in voters})
    question.refresh_from_db()
    assert question.revision == 5


def test_concurrent_changes_of_one_ballot_apply_one_after_the_other():
    question = make_question(choices=("Yes", "No", "Maybe"))
    yes, no, maybe = question.choices.all()
    voters = [make_voter() for _ in range(40)]
    for voter in voters:
        cast_vote(question=question, choices=[yes], voter=voter)
    # Two threads per group of five voters race to move each ballot, one to No, one to Maybe.
    groups = [voters[i : i + 5] for i in range(0, 40, 5)]
    tasks = [
        casting(question, [(voter, [pick]) for voter in group]) for group in groups for pick in (no, maybe)
    ]
    by_voter = {}
    for voter, result in itertools.chain.from_iterable(at_once(tasks)):
        by_voter.setdefault(voter, []).append(result)
    final = {voter: set(serial_history(results, ids([yes]))) for voter, results in by_voter.items()}
    assert all(result.outcome is Outcome.CHANGED for results in by_voter.values() for result in results)
    assert_exact(question, final)
    assert question.choices.get(pk=yes.pk).votes == 0
    question.refresh_from_db()
    assert question.revision == 40 + 80


def test_multiple_choice_ballots_racing_keep_every_count_exact():
    question = make_question(choices=("A", "B", "C", "D", "E"), max_choices=3)
    choices = list(question.choices.all())
    rng = random.Random(3)
    voters = [make_voter() for _ in range(24)]

    def picks():
        return rng.sample(choices, rng.randint(1, 3))

    # Half the voters have a ballot already; then two threads per group of three voters race each
    # ballot to a random set, listed in random order (so no lock order comes from the caller).
    first = {voter: picks() for voter in voters[::2]}
    for voter, chosen in first.items():
        cast_vote(question=question, choices=chosen, voter=voter)
    groups = [voters[i : i + 3] for i in range(0, 24, 3)]
    tasks = [casting(question, [(voter, picks()) for voter in group]) for group in groups for _ in range(2)]
    by_voter = {}
    for voter, result in itertools.chain.from_iterable(at_once(tasks)):
        by_voter.setdefault(voter, []).append(result)
    assert len(by_voter) == 24
    final = {voter: set(serial_history(r, ids(first.get(voter, [])))) for voter, r in by_voter.items()}
    assert_exact(question, final)


def test_a_double_click_on_a_first_vote_through_the_site_makes_one_ballot():
    question = make_question()
    yes = question.choices.get(choice_text="Yes")
    browser = Client(headers={"X-Forwarded-Proto": "https"})
    assert browser.get(question.get_absolute_url()).status_code == 200  # the form, and a voter id

    def click():
        # One client per thread (the test client is not thread-safe), all with the browser's cookies.
        tab = Client(headers={"X-Forwarded-Proto": "https"})
        tab.cookies.update(browser.cookies)
        return tab.post(reverse("polls:vote", args=[question.pk]), {"choice": yes.pk}).status_code

    assert at_once([click] * 8) == [302] * 8
    assert_exact(question, {Ballot.objects.get().voter: {yes.pk}})


def test_voters_behind_one_address_voting_at_once_on_two_polls_are_each_counted_and_limited(settings):
    """
    Their first ballots take the address's one rate counter row before the poll's rows (migration
    0011), and hold it to their commit: they queue on it, none waits in a circle, none is lost.
    """
    settings.POLLS_BEHIND_ROUTER = True
    settings.POLLS_VOTE_RATE_LIMIT = THREADS - 2
    polls = [make_question(question_text=text) for text in ("First?", "Second?")]

    def new_browser_votes(question):
        def vote():
            tab = Client(headers={"X-Forwarded-Proto": "https"}, HTTP_X_FORWARDED_FOR="203.0.113.7")
            yes = question.choices.get(choice_text="Yes")
            return tab.post(reverse("polls:vote", args=[question.pk]), {"choice": yes.pk}).status_code

        return vote

    answers = at_once([new_browser_votes(polls[n % 2]) for n in range(THREADS)])
    assert Counter(answers) == {302: THREADS - 2, 429: 2}
    assert RateCounter.objects.get(key="vote:203.0.113.7").hits == THREADS
    assert Ballot.objects.count() == THREADS - 2
    assert sum(question.voter_count for question in Question.objects.all()) == THREADS - 2
    assert mismatches() == []


def test_a_recount_while_people_vote_leaves_every_counter_exact():
    question = make_question(choices=("Red", "Green", "Blue"))
    choices = list(question.choices.all())
    voters = [make_voter() for _ in range(60)]
    # Every voter votes, then changes the vote, while two threads recount the question again and
    # again under its row lock (what check_counts --repair does for a question that drifted).
    steps = [[(voter, [choices[i % 3]]), (voter, [choices[(i + 1) % 3]])] for i, voter in enumerate(voters)]
    tasks = [casting(question, [step for plan in steps[t::12] for step in plan]) for t in range(12)]
    tasks += [lambda: [counts._repair_question(question.pk) for _ in range(20)]] * 2
    at_once(tasks)
    assert_exact(question, {voter: {choices[(i + 1) % 3].pk} for i, voter in enumerate(voters)})


def in_order(first, second):
    """
    Run first() in a thread until it says it holds its locks, then second() in another thread
    until it waits for one of them; then let first() finish. Return both results.

    first(ready, finish) sets `ready` once its rows are locked and returns once `finish` is set.
    """
    ready, finish = threading.Event(), threading.Event()
    results = {}

    def run(name, task):
        try:
            results[name] = task()
        except BaseException as error:  # asserted on by the caller, so no failure is lost
            results[name] = error
        finally:
            connections.close_all()

    holder = threading.Thread(target=run, args=("first", lambda: first(ready, finish)))
    holder.start()
    assert ready.wait(timeout=30), "the first task never took its locks"
    waiter = threading.Thread(target=run, args=("second", second))
    waiter.start()
    waiting_for_a_lock(timeout=30)
    finish.set()
    for thread in (holder, waiter):
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in (holder, waiter)), "a thread hung (a lock never released?)"
    return results["first"], results["second"]


def holding_a_vote(question, choices):
    """A first task for in_order(): a new voter's ballot, its transaction held open until told."""

    def vote(ready, finish):
        with transaction.atomic():
            result = cast_vote(question=question, choices=choices, voter=make_voter())
            ready.set()
            finish.wait(timeout=30)
        return result

    return vote


def waiting_for_a_lock(timeout):
    """Return once some other connection of this database waits for a row lock."""
    with connections["default"].cursor() as cursor:
        for _ in range(timeout * 50):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the second task never waited for the first one's locks")


# Every way a question is deleted: the admin's delete page and its "delete selected" action run
# the first two (each logged-in admin client is used by one thread only).
DELETIONS = {
    "instance": lambda question: Question.objects.get(pk=question.pk).delete(),
    "queryset": lambda question: Question.objects.filter(pk=question.pk).delete(),
    "admin page": lambda question: make_editor(superuser=True).post(
        reverse("admin:polls_question_delete", args=[question.pk]), {"post": "yes"}
    ),
    "admin action": lambda question: make_editor(superuser=True).post(
        reverse("admin:polls_question_changelist"),
        {"action": "delete_selected", "_selected_action": [question.pk], "post": "yes"},
    ),
}


@pytest.mark.parametrize("deletion", DELETIONS.values(), ids=DELETIONS.keys())
def test_a_question_deleted_while_a_vote_commits_goes_with_that_ballot(deletion):
    question = make_question()
    yes = question.choices.get(choice_text="Yes")

    result, deleted = in_order(holding_a_vote(question, [yes]), lambda: deletion(question))
    assert not isinstance(result, BaseException), result
    assert not isinstance(deleted, BaseException), deleted  # an IntegrityError at COMMIT, unlocked
    assert getattr(deleted, "status_code", 302) == 302
    assert (Question.objects.count(), Ballot.objects.count(), Vote.objects.count()) == (0, 0, 0)


def test_a_vote_arriving_while_its_question_is_deleted_gets_a_page_not_a_500():
    question = make_question()
    yes = question.choices.get(choice_text="Yes")

    def delete(ready, finish):
        with transaction.atomic():
            Question.objects.get(pk=question.pk).delete()
            ready.set()
            finish.wait(timeout=30)

    def vote():
        browser = Client(headers={"X-Forwarded-Proto": "https"})
        return browser.post(reverse("polls:vote", args=[question.pk]), {"choice": yes.pk})

    deleted, response = in_order(delete, vote)
    assert not isinstance(deleted, BaseException), deleted
    assert response.status_code == 404
    assert b"There is no such page" in response.content
    assert (Ballot.objects.count(), Vote.objects.count()) == (0, 0)


def test_a_choice_deleted_in_the_admin_as_it_gets_its_first_vote_stays_with_that_vote():
    question = make_question(choices=("Yes", "No", "Maybe"))
    maybe = question.choices.get(choice_text="Maybe")
    editor = make_editor(superuser=True)
    data = question_data(existing(question, Maybe={"DELETE": True}))

    result, response = in_order(
        holding_a_vote(question, [maybe]), lambda: editor.post(change_url(question), data)
    )
    assert not isinstance(result, BaseException), result
    assert not isinstance(response, BaseException), response  # a RestrictedError, unlocked
    assert "“Maybe” cannot be deleted: it holds 1 vote and that ballot" in " ".join(errors_of(response))
    assert_exact(question, {Ballot.objects.get().voter: {maybe.pk}})


def test_the_choice_limit_is_not_lowered_below_a_ballot_cast_as_the_form_is_saved():
    question = make_question(choices=("Red", "Green", "Blue"), max_choices=2)
    red, green = question.choices.get(choice_text="Red"), question.choices.get(choice_text="Green")
    editor = make_editor(superuser=True)
    data = question_data(existing(question), max_choices=1)

    result, response = in_order(
        holding_a_vote(question, [red, green]), lambda: editor.post(change_url(question), data)
    )
    assert not isinstance(result, BaseException), result
    assert "Ballots already hold up to 2 choices" in " ".join(errors_of(response))
    question.refresh_from_db()
    assert question.max_choices == 2
