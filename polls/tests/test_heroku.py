"""Heroku, here: a push builds, releases and serves from two dynos; bad releases and keys are refused."""

import re
import secrets
import subprocess
import uuid

import psycopg2
import pytest
import requests

from polls import receipts
from polls.voter import COOKIE_NAME

from .harness.dynos import (
    GRACE_PERIOD,
    HTTPS,
    PORTS,
    ROOT,
    build,
    fresh_database,
    honcho,
    one_off,
    platform_env,
    running_in_group,
    stop_holding_idle_connections,
    web_dynos,
)
from .harness.servers import free_ports


def vote_through(dyno, question_id):
    """Vote like a browser: read the form (CSRF cookie and token), post it, keep the voter cookie."""
    page = requests.get(f"{dyno.url}/polls/{question_id}/", headers=HTTPS, timeout=10)
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    choice = re.search(r'name="choice" value="(\d+)"', page.text).group(1)
    # requests keeps Secure cookies away from http:// URLs; the router talks plain HTTP to the dyno.
    headers = {**HTTPS, "Origin": dyno.url.replace("http:", "https:")}
    headers["Cookie"] = f"csrftoken={page.cookies['csrftoken']}"
    answer = requests.post(
        f"{dyno.url}/polls/{question_id}/vote/",
        data={"csrfmiddlewaretoken": token, "choice": choice},
        headers=headers,
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text
    return answer.cookies[COOKIE_NAME]


@pytest.mark.slow
def test_a_push_builds_releases_and_serves_one_database_from_two_dynos(postgres, tmp_path):
    app, logs = tmp_path / "app", tmp_path / "logs"
    app.mkdir()
    logs.mkdir()
    collected = build(app)
    assert re.search(r"\d+ static files copied .* post-processed", collected), collected

    with fresh_database() as database_url:
        config_vars = {
            "DATABASE_URL": database_url,
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            # Heroku Postgres requires TLS (the default on a dyno); this machine's PostgreSQL has none.
            "DATABASE_SSL_REQUIRE": "0",
        }
        release = honcho(app, "start", "release", env=platform_env(**config_vars, DYNO="release.1"))
        assert "release.1 stopped (rc=0)" in release.stdout, release.stdout + release.stderr
        # A fresh database replays no stored function: the squashed migration builds it.
        assert "Applying polls.0001_squashed_0013_drop_stored_vote... OK" in release.stdout
        question_id = one_off(
            app,
            config_vars,
            "from polls.tests.factories import make_question;"
            "print(make_question(question_text='Heroku or not?').pk)",
        )

        with web_dynos(app, config_vars, logs) as (a, b):
            # Stateless: a vote through dyno A is in the database dyno B reads, and B trusts A's cookie.
            voter = vote_through(a, question_id)
            cookie = {"Cookie": f"{COOKIE_NAME}={voter}"}
            seen = requests.get(f"{b.url}/polls/{question_id}/results/", headers=HTTPS | cookie, timeout=10)
            assert seen.status_code == 200
            assert "1 voter" in seen.text
            assert "Your vote" in seen.text

            # Static files: hashed names, compressed, cacheable for ever, served by the dyno itself.
            stylesheet = re.search(r'href="(/static/polls/style\.[0-9a-f]{12}\.css)"', seen.text).group(1)
            gzip = {"Accept-Encoding": "gzip"}
            static = requests.get(b.url + stylesheet, headers=HTTPS | gzip, timeout=10)
            assert static.status_code == 200
            assert static.headers["Content-Encoding"] == "gzip"
            assert "max-age=315360000" in static.headers["Cache-Control"]
            assert "immutable" in static.headers["Cache-Control"]

            seconds = stop_holding_idle_connections([a, b])

    print(f"\nSIGTERM to exit: dyno A {seconds[0]:.1f} s, dyno B {seconds[1]:.1f} s")
    for dyno, took in zip((a, b), seconds, strict=True):
        assert took < GRACE_PERIOD, f"{dyno.url} took {took:.1f} s to stop:\n{dyno.log}"
        assert not running_in_group(dyno.process_group()), dyno.log
        assert "Handling signal: term" in dyno.log
        assert "Shutting down: Master" in dyno.log
        assert "Traceback" not in dyno.log
        assert '"GET /healthz HTTP/1.1" 200' in dyno.log  # the access log goes to stdout


def test_a_database_of_the_releases_with_a_stored_vote_is_upgraded_with_every_ballot_kept(postgres):
    """
    Before migration 0012, first ballots were counted by stored functions and Question.choice_count
    kept by triggers. Migrations 0012 and 0013 (two releases on Heroku, back to back here) drop
    them, and every ballot and counter stays as it was.
    """
    with fresh_database() as database_url:
        config_vars = {
            "DATABASE_URL": database_url,
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_SSL_REQUIRE": "0",  # as in the test above: no TLS on this machine
        }
        env = platform_env(**config_vars, DYNO="run.1")
        run = ["python", "manage.py", "migrate", "polls", "0011_count_limited_first_ballot"]
        old = subprocess.run(run, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert old.returncode == 0, old.stdout + old.stderr
        with psycopg2.connect(database_url) as db, db.cursor() as cursor:
            # A poll, its choices counted by the triggers, a first ballot counted by the function.
            cursor.execute(
                "INSERT INTO polls_question (question_text, pub_date, max_choices, results_visibility,"
                " voter_count, revision, choice_count, updated_at)"
                " VALUES ('Old or new?', now() - interval '1 hour', 1, 'always', 0, 0, 0, now()) RETURNING id"
            )
            [question_id] = cursor.fetchone()
            cursor.execute(
                "INSERT INTO polls_choice (question_id, choice_text, position, votes)"
                " VALUES (%s, 'Old', 0, 0), (%s, 'New', 1, 0) RETURNING id",
                [question_id, question_id],
            )
            [old_choice], _ = cursor.fetchall()
            cursor.execute(
                "SELECT counted_ids FROM polls_count_first_ballot(%s, gen_random_uuid(), %s, now())",
                [question_id, [old_choice]],
            )
            assert cursor.fetchone() == ([old_choice],)

        release = honcho(ROOT, "start", "release", env=platform_env(**config_vars, DYNO="release.1"))
        assert "release.1 stopped (rc=0)" in release.stdout, release.stdout + release.stderr
        assert "Applying polls.0012_question_choice_count_leaves_the_model... OK" in release.stdout
        assert "Applying polls.0013_drop_stored_vote... OK" in release.stdout

        with psycopg2.connect(database_url) as db, db.cursor() as cursor:
            cursor.execute(
                "SELECT (SELECT count(*) FROM pg_proc WHERE proname LIKE 'polls%%'),"
                " (SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'polls%%'),"
                " (SELECT count(*) FROM information_schema.columns WHERE column_name = 'choice_count')"
            )
            assert cursor.fetchone() == (0, 0, 0)
        counted = one_off(
            ROOT,
            config_vars,
            "from polls.counts import mismatches; from polls.models import Question;"
            f"q = Question.objects.open().get(pk={question_id});"
            "print(q.voter_count, list(q.choices.values_list('votes', flat=True)), mismatches())",
        )
        assert counted == "1 [1, 0] []"


def test_ballots_cast_before_receipts_get_their_trackers_over_two_releases(postgres):
    """
    Migration 0015 (issue 24's first release) gives the ballots already cast their trackers but
    leaves the column nullable: while it runs, the previous release's dynos still write ballots
    without one. 0016 (the second release) gives those theirs and makes the column required. Each
    tracker is the one polls.receipts derives under the site's key, so every voter's receipt finds
    their ballot, and the ballot list sums to the counters.
    """
    secret_key = secrets.token_urlsafe(50)
    with fresh_database() as database_url:
        config_vars = {
            "DATABASE_URL": database_url,
            "DJANGO_SECRET_KEY": secret_key,
            "DATABASE_SSL_REQUIRE": "0",  # as in the tests above: no TLS on this machine
        }
        env = platform_env(**config_vars, DYNO="run.1")
        migrate_polls(env, "0014_translatable_names")
        with psycopg2.connect(database_url) as db, db.cursor() as cursor:
            cursor.execute(
                "INSERT INTO polls_question (question_text, pub_date, closes_at, max_choices,"
                " results_visibility, voter_count, revision, updated_at) VALUES ('Old or new?',"
                " now() - interval '2 hours', now() - interval '1 hour', 1, 'always', 0, 0, now())"
                " RETURNING id"
            )
            [question_id] = cursor.fetchone()
            cursor.execute(
                "INSERT INTO polls_choice (question_id, choice_text, position, votes)"
                " VALUES (%s, 'Old', 0, 0), (%s, 'New', 1, 0) RETURNING id",
                [question_id, question_id],
            )
            choices = [choice_id for (choice_id,) in cursor.fetchall()]
            for choice_id in (choices[0], choices[0], choices[1]):
                cast_as_the_releases_before_receipts(cursor, question_id, choice_id)

        migrate_polls(env, "0015_ballot_trackers")
        with psycopg2.connect(database_url) as db, db.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM polls_ballot WHERE tracker IS NULL")
            assert cursor.fetchone() == (0,)
            # A dyno of the previous release votes after 0015 committed, and writes no tracker.
            cast_as_the_releases_before_receipts(cursor, question_id, choices[1])

        release = honcho(ROOT, "start", "release", env=platform_env(**config_vars, DYNO="release.1"))
        assert "release.1 stopped (rc=0)" in release.stdout, release.stdout + release.stderr
        assert "Applying polls.0016_ballot_tracker_required... OK" in release.stdout

        with psycopg2.connect(database_url) as db, db.cursor() as cursor:
            cursor.execute("SELECT voter, question_id, tracker FROM polls_ballot")
            ballots = cursor.fetchall()
            cursor.execute(
                "SELECT is_nullable FROM information_schema.columns"
                " WHERE table_name = 'polls_ballot' AND column_name = 'tracker'"
            )
            assert cursor.fetchone() == ("NO",)
        assert len(ballots) == 4
        for voter, ballot_question, tracker in ballots:
            receipt = receipts.receipt_code(uuid.UUID(str(voter)), ballot_question, secret=secret_key)
            assert tracker == receipts.tracker(receipt)
        recounted = one_off(
            ROOT,
            config_vars,
            f"from django.core.management import call_command; call_command('recount', {question_id})",
        )
        assert "The list of 4 ballots sums to the counters." in recounted


def migrate_polls(env, target):
    run = ["python", "manage.py", "migrate", "polls", target]
    migrated = subprocess.run(run, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr


def cast_as_the_releases_before_receipts(cursor, question_id, choice_id):
    """A first ballot as the code before issue 24 wrote it: no tracker, and its counters moved."""
    cursor.execute(
        "INSERT INTO polls_ballot (question_id, voter, cast_at) VALUES (%s, gen_random_uuid(), now())"
        " RETURNING id",
        [question_id],
    )
    [ballot_id] = cursor.fetchone()
    cursor.execute("INSERT INTO polls_vote (ballot_id, choice_id) VALUES (%s, %s)", [ballot_id, choice_id])
    cursor.execute("UPDATE polls_choice SET votes = votes + 1 WHERE id = %s", [choice_id])
    cursor.execute(
        "UPDATE polls_question SET voter_count = voter_count + 1, revision = revision + 1 WHERE id = %s",
        [question_id],
    )


def test_a_release_that_cannot_migrate_fails_so_heroku_keeps_the_running_release():
    (closed_port,) = free_ports(1, PORTS)
    env = platform_env(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{closed_port}/nowhere",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DYNO="release.1",
    )
    release = honcho(ROOT, "start", "release", env=env)
    assert "release.1 stopped (rc=1)" in release.stdout, release.stdout + release.stderr


def test_the_web_dyno_refuses_to_start_without_a_secret_key():
    (port,) = free_ports(1, PORTS)
    env = platform_env(DYNO="web.1", GUNICORN_CMD_ARGS=f"--bind 127.0.0.1:{port}")
    web = honcho(ROOT, "start", "-p", str(port), "web", env=env)
    assert "web.1 stopped (rc=" in web.stdout, web.stdout + web.stderr
    assert "web.1 stopped (rc=0)" not in web.stdout
    assert "DJANGO_SECRET_KEY is not set" in web.stdout
    assert "Listening at" not in web.stdout


def test_production_settings_pass_the_deploy_checklist(postgres):
    """
    `check --deploy` on a dyno's settings (DEBUG unset, a real key, Heroku's PostgreSQL), warnings
    counted as failures and none silenced.
    """
    with fresh_database() as database_url:
        env = platform_env(
            DYNO="web.1",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
            DATABASE_URL=database_url,
            DATABASE_SSL_REQUIRE="0",  # no TLS on this machine
        )
        check = subprocess.run(
            ["python", "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.strip() == "System check identified no issues (0 silenced)."


def database_settings(**env):
    code = "from django.conf import settings; d = settings.DATABASES['default']; print(d)"
    shown = subprocess.run(
        ["python", "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=platform_env(DJANGO_SETTINGS_MODULE="mysite.settings", **env),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.returncode == 0, shown.stderr
    return shown.stdout


def test_on_a_dyno_postgresql_needs_tls_and_connections_persist_with_health_checks():
    url = "postgres://someone:secret@db.example.com:5432/polls"
    on_dyno = database_settings(DYNO="web.1", DATABASE_URL=url)
    assert "'sslmode': 'require'" in on_dyno
    assert "'CONN_MAX_AGE': 600" in on_dyno
    assert "'CONN_HEALTH_CHECKS': True" in on_dyno
    assert "sslmode" not in database_settings(DATABASE_URL=url)
