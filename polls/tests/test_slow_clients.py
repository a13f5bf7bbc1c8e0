"""Slow clients (issue 21): stalled requests and trickling votes cannot hold up other visitors."""

import os

import pytest
from django.db import connection

from polls.models import Ballot

from .factories import make_question
from .harness.dynos import build, web_dynos
from .harness.servers import database_url
from .harness.slow_clients import Siege, visit

# Other visitors' pages, fetched on fresh connections while the slow clients are held open.
BOUND = 2.0  # seconds: the slowest answer a visitor may wait for


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_stalled_and_trickling_clients_leave_a_dyno_answering_and_their_votes_count(postgres, tmp_path):
    """8 connections stalled mid-headers and 8 votes trickling a byte every 2 s, on one dyno (Procfile)."""
    app, logs = tmp_path / "app", tmp_path / "logs"
    app.mkdir()
    logs.mkdir()
    build(app)
    question = make_question(choices=("Yes", "No"))
    paths = ["/polls/", question.get_absolute_url(), f"/polls/{question.pk}/results/"]
    config_vars = {
        "DATABASE_URL": database_url(connection.settings_dict),  # this test's database
        "DJANGO_SECRET_KEY": os.environ["DJANGO_SECRET_KEY"],
        "DATABASE_SSL_REQUIRE": "0",  # this machine's PostgreSQL has no TLS
    }
    with web_dynos(app, config_vars, logs, count=1) as (dyno,):
        siege = Siege(dyno.url, question.pk, question.choices.first().pk, stalled=8, trickling=8, interval=2)
        with siege:
            visits = visit(dyno.url, paths, seconds=siege.seconds + 2, limit=BOUND * 2)
            held = siege.held_open()
            answers = siege.finish()

    assert held == 8, "the stalled connections were not held open to the end"
    assert visits.unanswered == 0, visits
    assert visits.slowest < BOUND, visits
    assert set(visits.statuses) == {200}, visits
    assert answers == [302] * 8, "each trickled vote is answered once its body is complete"
    assert Ballot.objects.filter(question=question).count() == 8
