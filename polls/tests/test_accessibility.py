"""axe-core finds no WCAG 2.2 AA or best-practice violation on any page type, in light and dark."""

from uuid import uuid4

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from django.views.defaults import bad_request, server_error

from polls.models import Question
from polls.voting import cast_vote

from .browsing import submit, vote_for
from .showcase import get_pages, make_showcase

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Colour contrast, names, labels, landmarks, heading order, target size: everything axe can judge.
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
}
axe = Axe()

# What the walk below reads and presses, in each language it checks the pages in (issue 23).
WORDS = {
    "en": {
        "vote": "Vote",
        "counted": "Your vote for “Plum” was counted.",
        "seven voters": "7 voters",
        "closed": "This poll is closed",
        "expired": "Your form expired or came from elsewhere",
        "username": "Username",
        "password": "Password",
        "log in": "Log in",
    },
    "fr": {
        "vote": "Voter",
        "counted": "a été compté",
        "seven voters": "7 votants",
        "closed": "Ce sondage est clos",
        "expired": "Votre formulaire a expiré ou vient d’ailleurs",
        "username": "Nom d’utilisateur",
        "password": "Mot de passe",
        "log in": "Connexion",
    },
}


def violations(page):
    """axe's violations on the page as shown now: rule id -> the elements that break it."""
    found = axe.run(page, options=AXE_OPTIONS).response["violations"]
    return {rule["id"]: [node["target"] for node in rule["nodes"]] for rule in found}


def served_as(page, path, response, status):
    """Show a page the browser cannot provoke from a healthy server, served at a live-site address."""
    body = response.content
    page.route(f"**{path}", lambda route: route.fulfill(status=status, body=body, content_type="text/html"))
    assert page.goto(path).status == status


def visit_every_page_type(page, polls, language="en"):
    """Walk the page through every page type; yield each type's name once it is on screen."""
    words = WORDS[language]
    for name, (path, status) in get_pages(polls).items():
        assert page.goto(path).status == status, name
        yield name
    page.goto(polls.open.get_absolute_url())
    submit(page, words["vote"])
    yield "poll with errors"
    vote_for(page, "Plum", button=words["vote"])
    page.get_by_text(words["counted"]).wait_for()
    yield "results after voting"
    cast_vote(question=polls.open, choices=[polls.open.choices.get(choice_text="Tangerine")], voter=uuid4())
    page.locator("caption").get_by_text(
        words["seven voters"]
    ).wait_for()  # static/polls/live.js swapped it in
    page.locator(".live-summary").get_by_text(words["seven voters"]).wait_for()
    yield "results updated live"
    page.goto(polls.open.get_absolute_url())
    yield "poll after voting"
    page.goto(polls.multiple.get_absolute_url())
    page.get_by_label("CSV import").check()
    Question.objects.filter(pk=polls.multiple.pk).update(closes_at=timezone.now())
    submit(page, words["vote"])
    page.get_by_role("heading", name=words["closed"]).wait_for()
    yield "vote on a closed poll"
    page.goto(polls.hidden.get_absolute_url())
    page.get_by_label("SQLite").check()
    page.context.clear_cookies()
    submit(page, words["vote"])
    page.get_by_role("heading", name=words["expired"]).wait_for()
    yield "403 CSRF page"
    get_user_model().objects.create_user("no-rights", password="correct horse battery", is_staff=True)
    page.goto(reverse("admin:login"))
    page.get_by_label(words["username"]).fill("no-rights")
    page.get_by_label(words["password"]).fill("correct horse battery")
    submit(page, words["log in"])
    assert page.goto(reverse("admin:polls_question_add")).status == 403
    yield "403 page"
    request = RequestFactory().get("/")
    with translation.override(language):  # as LocaleMiddleware would have it for these requests
        served_as(page, "/polls/bad/", bad_request(request, exception=None), 400)
        yield "400 page"
        served_as(page, "/polls/broken/", server_error(request), 500)
        yield "500 page"


# French in the light scheme only: the words change with the language, the colours do not.
@pytest.mark.parametrize(("scheme", "language"), [("light", "en"), ("dark", "en"), ("light", "fr")])
def test_no_page_type_has_accessibility_violations(open_page, scheme, language):
    polls = make_showcase()
    page = open_page(color_scheme=scheme, locale=language)  # the browser's Accept-Language
    found = {name: violations(page) for name in visit_every_page_type(page, polls, language)}
    assert page.evaluate("document.documentElement.lang") == language
    assert len(found) == 27
    assert {name: rules for name, rules in found.items() if rules} == {}
