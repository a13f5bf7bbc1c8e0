"""Bot friction: a per-client vote limit in the database, and throttled admin sign-ins."""

import io
import logging

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from polls.models import Ballot, RateCounter

from .factories import make_question

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("admin:login")


def browser(address="203.0.113.7", **headers):
    """A fresh browser (no cookies) at `address`, seen through Heroku's router."""
    return Client(
        REMOTE_ADDR="10.1.2.3",
        headers={"X-Forwarded-Proto": "https", **headers},
        HTTP_X_FORWARDED_FOR=address,
    )


def vote(client, question):
    return client.post(reverse("polls:vote", args=[question.pk]), {"choice": question.choices.first().pk})


@pytest.fixture(autouse=True)
def behind_router(settings):
    settings.POLLS_BEHIND_ROUTER = True
    settings.POLLS_VOTE_RATE_LIMIT = 3
    settings.POLLS_VOTE_RATE_WINDOW = 60


def test_votes_past_the_limit_get_429_with_retry_after_and_are_not_counted():
    question = make_question()
    with time_machine.travel(1_800_000_010, tick=False):
        assert [vote(browser(), question).status_code for _ in range(3)] == [302, 302, 302]
        refused = vote(browser(), question)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "50"  # the window began at 1_800_000_000 and lasts 60 s
    assert "Too many votes from your network" in refused.text
    assert "Please try again in 50 seconds." in refused.text
    assert Ballot.objects.count() == 3


def test_the_count_lives_in_the_database_so_every_app_server_shares_it():
    question = make_question()
    with time_machine.travel(1_800_000_010, tick=False):
        vote(browser(), question)
        vote(browser(), question)
    assert RateCounter.objects.get(key="vote:203.0.113.7").hits == 2


def test_a_new_window_lets_the_client_vote_again():
    question = make_question()
    with time_machine.travel(1_800_000_010, tick=False):
        for _ in range(4):
            vote(browser(), question)
    with time_machine.travel(1_800_000_070, tick=False):
        assert vote(browser(), question).status_code == 302
    assert RateCounter.objects.get(started=1_800_000_060).hits == 1


def test_a_vote_never_deletes_counters_the_expiry_command_does():
    question = make_question()
    for moment in (1_800_000_010, 1_800_000_070, 1_800_000_130):
        with time_machine.travel(moment, tick=False), CaptureQueriesContext(connection) as queries:
            assert vote(browser(), question).status_code == 302
        assert not any(query["sql"].startswith("DELETE") for query in queries)
    assert RateCounter.objects.count() == 3
    with time_machine.travel(1_800_000_130, tick=False):
        call_command("expire_rate_counters", stdout=(out := io.StringIO()))
    assert list(RateCounter.objects.values_list("started", flat=True)) == [1_800_000_120]
    assert "Deleted 2 rate counter(s)" in out.getvalue()


def test_other_clients_are_not_held_back_by_a_busy_one():
    question = make_question()
    with time_machine.travel(1_800_000_010, tick=False):
        for _ in range(4):
            vote(browser(), question)
        assert vote(browser("198.51.100.1"), question).status_code == 302


def test_behind_the_router_only_the_last_forwarded_address_counts():
    """Entries before the last one are whatever the client sent; a bot cannot rotate them to escape."""
    question = make_question()
    with time_machine.travel(1_800_000_010, tick=False):
        for forged in ("1.1.1.1", "2.2.2.2", "3.3.3.3"):
            assert vote(browser(f"{forged}, 203.0.113.7"), question).status_code == 302
        assert vote(browser("4.4.4.4, 203.0.113.7"), question).status_code == 429


def test_without_the_router_the_forwarded_header_is_ignored(settings):
    settings.POLLS_BEHIND_ROUTER = False
    question = make_question()
    with time_machine.travel(1_800_000_010, tick=False):
        for address in ("1.1.1.1", "2.2.2.2", "3.3.3.3"):
            assert vote(browser(address), question).status_code == 302
        assert vote(browser("4.4.4.4"), question).status_code == 429
    assert RateCounter.objects.get().key == "vote:10.1.2.3"


@pytest.mark.parametrize("header", ["", "not-an-address", "203.0.113.7, <script>", "999.1.1.1"])
def test_a_garbled_forwarded_header_falls_back_to_the_peer_address(header):
    question = make_question()
    assert vote(browser(header), question).status_code == 302
    assert RateCounter.objects.get().key == "vote:10.1.2.3"


def test_an_ipv6_client_counts_as_its_whole_64_block():
    question = make_question()
    with time_machine.travel(1_800_000_010, tick=False):
        for host in ("1", "2", "3"):
            assert vote(browser(f"2001:db8:1:2::{host}"), question).status_code == 302
        assert vote(browser("2001:db8:1:2:ffff::9"), question).status_code == 429
        assert vote(browser("2001:db8:1:3::1"), question).status_code == 302


def test_a_limit_of_zero_turns_the_limit_off(settings):
    settings.POLLS_VOTE_RATE_LIMIT = 0
    question = make_question()
    assert [vote(browser(), question).status_code for _ in range(5)] == [302] * 5
    assert not RateCounter.objects.exists()


def test_the_limit_is_counted_once_before_the_view_does_any_work():
    """One upsert per vote POST, its first query; past the limit, the only one: no poll read, no ballot."""
    question = make_question()
    url, form = reverse("polls:vote", args=[question.pk]), {"choice": question.choices.first().pk}
    with time_machine.travel(1_800_000_010, tick=False):
        for expected in (302, 302, 302, 429):
            with CaptureQueriesContext(connection) as queries:
                assert browser().post(url, form).status_code == expected
            sql = [query["sql"] for query in queries]
            assert sql[0].startswith('INSERT INTO "polls_ratecounter"')
            assert sum("polls_ratecounter" in statement for statement in sql) == 1
    assert len(sql) == 1


def test_every_vote_post_is_counted_once_whichever_path_it_takes():
    """A first ballot, a changed one and a bad form."""
    question = make_question()
    yes, no = question.choices.all()
    client = browser()
    url = reverse("polls:vote", args=[question.pk])
    with time_machine.travel(1_800_000_010, tick=False):
        assert client.post(url, {"choice": yes.pk}).status_code == 302
        assert client.post(url, {"choice": no.pk}).status_code == 302
        assert client.post(url, {}).status_code == 400
        assert RateCounter.objects.get().hits == 3
        assert client.post(url, {"choice": yes.pk}).status_code == 429  # the fourth, past 3
    assert list(Ballot.objects.values_list("votes__choice", flat=True)) == [no.pk]


def test_the_counters_table_skips_the_write_ahead_log_on_postgresql(postgres):
    # Counters are the one thing a crash may lose (polls/migrations/0001_squashed_0013): no WAL, no
    # wait for the disk.
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = 'polls_ratecounter'")
        assert cursor.fetchone() == ("u",)
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = 'polls_ballot'")
        assert cursor.fetchone() == ("p",)


# Admin sign-in ----------------------------------------------------------------------------------


@pytest.fixture
def editor_account(settings):
    # The real hasher costs half a second per try by design; these tests count tries, not cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return User.objects.create_superuser("editor", "editor@example.com", "a-long-correct-password")


def sign_in(client, password, username="editor"):
    return client.post(LOGIN_URL, {"username": username, "password": password, "next": "/admin/"})


def test_repeated_failed_sign_ins_lock_the_client_out_with_a_429_page(editor_account, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = browser()
    assert [sign_in(client, "wrong").status_code for _ in range(2)] == [200, 200]
    locked = sign_in(client, "wrong")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.text
    assert "for 15 minutes" in locked.text
    # Locked out means locked out: even the right password is not tried.
    assert sign_in(client, "a-long-correct-password").status_code == 429
    assert "_auth_user_id" not in client.session


def test_failures_from_other_addresses_never_lock_an_editor_out_of_their_own(editor_account, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for address in ("198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4"):
        for _ in range(3):
            sign_in(browser(address), "wrong")
    assert sign_in(browser("203.0.113.50"), "a-long-correct-password").status_code == 302


def test_each_guessing_address_is_locked_out_of_the_account(editor_account, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for address in ("198.51.100.1", "198.51.100.2"):
        client = browser(address)
        assert [sign_in(client, "wrong").status_code for _ in range(3)] == [200, 200, 429]
        assert sign_in(client, "a-long-correct-password").status_code == 429


def test_a_locked_client_cannot_guess_other_accounts_either(editor_account, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = browser()
    for name in ("alice", "bob", "carol"):
        sign_in(client, "guess", username=name)
    assert sign_in(client, "a-long-correct-password").status_code == 429


def test_the_lock_lifts_after_the_cool_off_time(editor_account, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = browser()
    with time_machine.travel("2030-01-01 12:00Z"):
        for _ in range(3):
            sign_in(client, "wrong")
    with time_machine.travel("2030-01-01 12:16Z"):
        assert sign_in(client, "a-long-correct-password").status_code == 302


def test_a_good_sign_in_still_works_and_failures_are_logged(editor_account, caplog):
    client = browser()
    with caplog.at_level(logging.WARNING, logger="axes"):
        assert sign_in(client, "wrong").status_code == 200
    assert "AXES: New login failure" in caplog.text
    assert "203.0.113.7" in caplog.text
    assert sign_in(client, "a-long-correct-password").status_code == 302
