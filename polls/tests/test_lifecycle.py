"""Publish and close times, enforced on the server, shown in the site's zone; time is frozen."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from polls.models import Ballot

from .factories import make_question

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def pages(question):
    return [reverse(name, args=[question.pk]) for name in ("polls:detail", "polls:results", "polls:qr")]


def test_a_scheduled_poll_does_not_exist_until_its_publish_time(client, frozen):
    question = make_question(question_text="Scheduled", pub_date=NOW + HOUR)
    assert "Scheduled" not in client.get(reverse("polls:index")).text
    for url in pages(question):
        assert client.get(url).status_code == 404
    vote = client.post(reverse("polls:vote", args=[question.pk]), {"choice": question.choices.first().pk})
    assert vote.status_code == 404

    frozen.shift(HOUR)
    assert "Scheduled" in client.get(reverse("polls:index")).text
    for url in pages(question):
        assert client.get(url).status_code == 200


def test_a_closed_poll_refuses_votes_with_a_clear_page(client):
    question = make_question(pub_date=NOW - 3 * HOUR, closes_at=NOW - HOUR)
    response = client.post(reverse("polls:vote", args=[question.pk]), {"choice": question.choices.first().pk})
    assert response.status_code == 403
    assert "This poll is closed" in response.text
    assert "your vote was not counted" in response.text
    assert Ballot.objects.count() == 0


def test_a_poll_closing_between_form_and_vote_refuses_the_vote(client, frozen):
    question = make_question(pub_date=NOW - HOUR, closes_at=NOW + datetime.timedelta(minutes=1))
    assert "<form" in client.get(question.get_absolute_url()).text
    frozen.shift(datetime.timedelta(minutes=2))
    response = client.post(reverse("polls:vote", args=[question.pk]), {"choice": question.choices.first().pk})
    assert response.status_code == 403
    assert Ballot.objects.count() == 0


def test_the_detail_page_of_a_closed_poll_says_when_and_shows_results(client):
    question = make_question(pub_date=NOW - 3 * HOUR, closes_at=NOW - HOUR)
    html = client.get(question.get_absolute_url()).text
    assert 'Closed on <time datetime="2026-06-01T11:00:00Z">1 Jun 2026, 11:00 UTC</time>' in html
    assert "Final results" in html
    assert 'class="vote-form"' not in html


def test_times_are_shown_in_the_site_zone_with_the_zone_named(client, settings):
    settings.TIME_ZONE = "Europe/Paris"
    question = make_question(pub_date=NOW - HOUR, closes_at=NOW + 3 * HOUR)
    html = client.get(question.get_absolute_url()).text
    assert '<time datetime="2026-06-01T15:00:00Z">1 Jun 2026, 17:00 CEST</time>' in html
    assert "Times are shown in Europe/Paris" in html


def test_the_list_separates_open_and_closed_polls_with_closing_hints(client):
    make_question(question_text="Still open", pub_date=NOW - HOUR, closes_at=NOW + 3 * HOUR)
    make_question(question_text="Never closes", pub_date=NOW - HOUR)
    make_question(question_text="Already closed", pub_date=NOW - 3 * HOUR, closes_at=NOW - HOUR)
    open_list = client.get(reverse("polls:index")).text
    closed_list = client.get(reverse("polls:closed")).text
    assert "Still open" in open_list
    assert "Never closes" in open_list
    assert "Already closed" not in open_list
    assert "Closes in 3\xa0hours" in open_list
    assert "Already closed" in closed_list
    assert "Still open" not in closed_list
    assert "Closed on" in closed_list
