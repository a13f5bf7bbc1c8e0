"""Questions that allow picking up to N choices: checkboxes, one ballot, limits on the server."""

import pytest
from django.urls import reverse

from polls.models import Ballot, Vote

from .factories import make_question

pytestmark = pytest.mark.django_db


@pytest.fixture
def question():
    return make_question(choices=("Red", "Green", "Blue", "Yellow"), max_choices=2)


def ids(question, *texts):
    return [question.choices.get(choice_text=text).pk for text in texts]


def test_multiple_choice_shows_checkboxes_and_the_limit(client, question):
    html = client.get(question.get_absolute_url()).text
    assert html.count('type="checkbox" name="choice"') == 4
    assert "Pick up to 2 choices." in html
    assert 'aria-describedby="choice-help"' in html


def test_picking_up_to_the_limit_makes_one_ballot(client, question):
    response = client.post(
        reverse("polls:vote", args=[question.pk]), {"choice": ids(question, "Red", "Blue")}
    )
    assert response.status_code == 302
    assert Ballot.objects.count() == 1
    assert Vote.objects.count() == 2
    html = client.get(reverse("polls:results", args=[question.pk])).text
    assert "1 voter, 2 selections" in html


def test_picking_more_than_the_limit_is_refused(client, question):
    response = client.post(
        reverse("polls:vote", args=[question.pk]), {"choice": ids(question, "Red", "Green", "Blue")}
    )
    assert response.status_code == 400
    assert "You picked 3 choices; this poll allows at most 2." in response.text
    assert 'aria-describedby="choice-errors"' in response.text
    # What the voter picked stays picked, so they only need to untick one.
    assert response.text.count(" checked") == 3
    assert Ballot.objects.count() == 0


def test_a_repeated_choice_counts_once(client, question):
    red = ids(question, "Red")[0]
    response = client.post(reverse("polls:vote", args=[question.pk]), {"choice": [red, red, red]})
    assert response.status_code == 302
    assert Vote.objects.get().choice_id == red


def test_changing_a_multiple_choice_ballot_moves_only_what_changed(client, question):
    url = reverse("polls:vote", args=[question.pk])
    client.post(url, {"choice": ids(question, "Red", "Blue")})
    response = client.post(url, {"choice": ids(question, "Blue", "Yellow")}, follow=True)
    red, blue, yellow = (f'“<span dir="auto">{name}</span>”' for name in ("Red", "Blue", "Yellow"))
    assert f"Your vote was changed from {red} and {blue} to {blue} and {yellow}." in response.text
    votes = {choice.choice_text: choice.votes for choice in question.choices.all()}
    assert votes == {"Red": 0, "Green": 0, "Blue": 1, "Yellow": 1}
    assert Ballot.objects.count() == 1


def test_a_single_choice_question_refuses_two_choices(client):
    single = make_question(choices=("A", "B"))
    response = client.post(reverse("polls:vote", args=[single.pk]), {"choice": ids(single, "A", "B")})
    assert response.status_code == 400
    assert Ballot.objects.count() == 0
