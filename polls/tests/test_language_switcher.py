"""The language switcher in a real browser: the choice is kept in a cookie, and every page follows it."""

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from playwright.sync_api import expect

from .browsing import submit
from .factories import make_question

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def poll():
    return make_question(question_text="Which colour should the new logo be?", choices=("Teal", "Plum"))


@pytest.mark.parametrize("scripts", [True, False], ids=["with scripts", "without scripts"])
def test_choosing_francais_keeps_the_page_and_every_later_page_is_french(open_page, poll, scripts):
    page = open_page(java_script_enabled=scripts)
    page.goto(poll.get_absolute_url())
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("Language").select_option(label="Français")
    submit(page, "Change language")
    assert page.url.endswith(poll.get_absolute_url())  # the same page, now in French
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("button", name="Voter")).to_be_visible()
    expect(page.get_by_label("Langue")).to_have_value("fr")
    page.get_by_role("link", name="Sondages clos").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sondages clos")
    cookies = {cookie["name"]: cookie["value"] for cookie in page.context.cookies()}
    assert cookies[settings.LANGUAGE_COOKIE_NAME] == "fr"
    assert Session.objects.count() == 0  # kept by the browser, not the server


def test_the_cookie_outranks_the_browsers_language_and_the_share_button_speaks_the_page(open_page, poll):
    page = open_page(locale="de-DE")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(reverse("polls:index"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Offene Umfragen")
    page.goto(poll.get_absolute_url())
    # share.js makes the button from the words the page carries, in the page's language.
    page.get_by_role("button", name="Link kopieren").click()
    expect(page.get_by_role("button", name="Kopiert")).to_be_visible()
    page.get_by_label("Sprache").select_option(label="Español")
    submit(page, "Sprache wechseln")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("button", name="Copiar enlace")).to_be_visible()
    page.goto(reverse("polls:index"))  # the browser still asks for German; the cookie says Spanish
    expect(page.get_by_role("heading", level=1)).to_have_text("Encuestas abiertas")
