"""Polls in a real browser: Debian's Chromium, driven by Playwright, against a live server."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import expect

from polls.models import Ballot, Question

from .browsing import submit, vote_for
from .factories import make_question

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def poll():
    return make_question(
        question_text="Which colour should the new logo be?", choices=("Teal", "Tangerine", "Plum")
    )


def votes(question):
    return dict(question.choices.values_list("choice_text", "votes"))


def row(page, choice):
    return page.get_by_role("row").filter(has_text=choice)


def test_a_vote_lands_on_the_results_with_a_message_and_your_vote_marked(page, poll):
    page.goto(poll.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(poll.question_text)
    vote_for(page, "Plum")
    expect(page).to_have_url(re.compile(reverse("polls:results", args=[poll.pk]) + r"\?voted=1$"))
    expect(page.get_by_role("status")).to_have_text("Your vote for “Plum” was counted.")
    expect(row(page, "Plum")).to_contain_text("Your vote")
    expect(row(page, "Plum")).to_contain_text("100%")
    expect(row(page, "Teal")).not_to_contain_text("Your vote")
    assert votes(poll) == {"Teal": 0, "Tangerine": 0, "Plum": 1}


def test_back_reload_and_a_bookmark_never_vote_again(page, new_context, poll):
    page.goto(poll.get_absolute_url())
    vote_for(page, "Teal")
    results_url = page.url
    page.reload()
    expect(row(page, "Teal")).to_contain_text("Your vote")
    page.go_back()
    expect(page).to_have_url(re.compile(poll.get_absolute_url() + "$"))
    expect(page.get_by_role("button", name="Change vote")).to_be_visible()
    expect(page.get_by_label("Teal")).to_be_checked()
    assert Ballot.objects.count() == 1
    assert votes(poll)["Teal"] == 1

    bookmarked = new_context().new_page()
    assert bookmarked.goto(results_url).status == 200
    expect(row(bookmarked, "Teal")).to_contain_text("100%")
    expect(bookmarked.get_by_text("Your vote", exact=True)).to_have_count(0)
    expect(bookmarked.get_by_role("status")).to_have_count(0)  # no ballot here to confirm
    assert Ballot.objects.count() == 1


def test_a_browser_can_change_its_vote_but_never_vote_twice(page, poll):
    page.goto(poll.get_absolute_url())
    vote_for(page, "Teal")
    page.goto(poll.get_absolute_url())
    expect(page.locator(".your-ballot")).to_contain_text("You voted for Teal")
    vote_for(page, "Plum", button="Change vote")
    expect(page.get_by_role("status")).to_have_text("Your vote was changed from “Teal” to “Plum”.")
    page.goto(poll.get_absolute_url())
    vote_for(page, "Plum", button="Change vote")
    expect(page.get_by_role("status")).to_have_text("You already voted for “Plum”; your vote is unchanged.")
    assert votes(poll) == {"Teal": 0, "Tangerine": 0, "Plum": 1}
    assert Ballot.objects.count() == 1


def test_a_second_browser_is_a_second_voter(open_page, poll):
    first, second = open_page(), open_page()
    for page, choice in ((first, "Teal"), (second, "Tangerine")):
        page.goto(poll.get_absolute_url())
        vote_for(page, choice)
    expect(second.get_by_role("table")).to_contain_text("2 voters")
    expect(row(second, "Tangerine")).to_contain_text("Your vote")
    expect(row(second, "Teal")).not_to_contain_text("Your vote")
    assert votes(poll) == {"Teal": 1, "Tangerine": 1, "Plum": 0}


def outline(locator):
    return locator.evaluate(
        "element => getComputedStyle(element).outlineStyle + ' ' + getComputedStyle(element).outlineWidth"
    )


def focused(page):
    return page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()")


def test_a_keyboard_alone_can_vote_with_focus_always_visible(page, poll):
    page.goto(poll.get_absolute_url())
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    assert skip.bounding_box()["y"] >= 0, "the focused skip link is on screen"
    assert outline(skip) == "solid 3px"
    page.keyboard.press("Enter")
    teal, tangerine = (poll.choices.get(choice_text=text) for text in ("Teal", "Tangerine"))
    for _ in range(6):  # from the top of main, past the status line, to the first radio button
        page.keyboard.press("Tab")
        if focused(page) == f"choice-{teal.pk}":
            break
    assert focused(page) == f"choice-{teal.pk}"
    assert outline(page.locator(f"label[for=choice-{teal.pk}]")) == "solid 3px"
    page.keyboard.press("ArrowDown")
    assert focused(page) == f"choice-{tangerine.pk}"
    page.keyboard.press("Space")
    expect(page.get_by_label("Tangerine")).to_be_checked()
    page.keyboard.press("Tab")
    button = page.get_by_role("button", name="Vote")
    expect(button).to_be_focused()
    assert outline(button) == "solid 3px"
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Your vote for “Tangerine” was counted.")
    assert votes(poll)["Tangerine"] == 1


def test_a_vote_without_a_choice_is_refused_with_a_message_tied_to_the_choices(page, poll):
    page.goto(poll.get_absolute_url())
    submit(page, "Vote")
    choices = page.get_by_role("group", name=poll.question_text)
    expect(choices).to_have_accessible_description("Pick a choice before voting.")
    for radio in page.get_by_role("radio").all():
        expect(radio).to_have_attribute("aria-invalid", "true")
    assert Ballot.objects.count() == 0


@pytest.mark.parametrize(("motion", "duration"), [("no-preference", "0.15s"), ("reduce", "0s")])
def test_choices_animate_only_for_people_who_have_not_asked_for_less_motion(
    open_page, poll, motion, duration
):
    page = open_page(reduced_motion=motion)
    page.goto(poll.get_absolute_url())
    durations = page.locator("label", has_text="Teal").evaluate(
        "label => getComputedStyle(label).transitionDuration"
    )
    assert set(durations.split(", ")) == {duration}


def test_without_javascript_the_whole_vote_flow_works(open_page, poll):
    page = open_page(java_script_enabled=False)
    page.goto(reverse("polls:index"))
    page.get_by_role("link", name=poll.question_text).click()
    submit(page, "Vote")
    expect(page.get_by_role("alert")).to_have_text("Pick a choice before voting.")
    vote_for(page, "Tangerine")
    expect(page.get_by_role("status")).to_have_text("Your vote for “Tangerine” was counted.")
    expect(page.get_by_label("Link to this poll")).to_be_visible()
    expect(page.get_by_role("button", name="Copy link")).to_have_count(0)  # made by script only
    page.get_by_role("link", name="Change your vote").click()
    vote_for(page, "Teal", button="Change vote")
    expect(row(page, "Teal")).to_contain_text("Your vote")
    assert votes(poll) == {"Teal": 1, "Tangerine": 0, "Plum": 0}


def test_the_share_link_can_be_copied_where_scripts_run(open_page, poll):
    page = open_page()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(poll.get_absolute_url())
    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert (
        page.evaluate("navigator.clipboard.readText()")
        == page.get_by_label("Link to this poll").input_value()
    )


def test_an_editor_creates_a_poll_in_the_admin_and_it_appears_on_the_site(page):
    get_user_model().objects.create_superuser("editor", "editor@example.com", "a long passphrase")
    page.goto(reverse("admin:polls_question_add"))
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill("a long passphrase")
    submit(page, "Log in")
    page.locator("#id_question_text").fill("Where should the summer party be?")
    for number, text in enumerate(("On the roof", "In the park", "At the lake")):
        field = page.locator(f'input[name="choices-{number}-choice_text"]')
        if not field.count():  # fewer blank rows than choices: add one, as an editor would
            page.get_by_role("link", name=re.compile("Add another")).click()
        field.fill(text)
    with page.expect_navigation():
        page.locator('input[name="_save"]').click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    assert Question.objects.get().choices.count() == 3

    page.goto(reverse("polls:index"))
    page.get_by_role("link", name="Where should the summer party be?").click()
    expect(page.get_by_role("radio")).to_have_count(3)
    for text in ("On the roof", "In the park", "At the lake"):
        expect(page.get_by_label(text)).to_be_visible()
