"""Receipts in Chromium (issue 24): shown after a vote, copied in one click, checked from the poll's form."""

import re
import uuid

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from polls.receipts import receipt_code
from polls.voter import COOKIE_NAME

from .browsing import submit, vote_for
from .factories import make_question

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECEIPT = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}$")  # Crockford base32, grouped
# Every document of the page reports its CSP refusals to the test, not only the one open when asked.
REPORT_CSP = """document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(`${event.violatedDirective} ${event.blockedURI}`);
});"""


@pytest.fixture
def poll():
    return make_question(question_text="Which colour should the new logo be?", choices=("Teal", "Plum"))


@pytest.fixture
def csp_violations():
    return []


@pytest.fixture
def page(open_page, csp_violations):
    """A page whose clipboard the site may use (after a person's click), its CSP refusals reported."""
    page = open_page(permissions=["clipboard-read", "clipboard-write"])
    page.expose_function("reportCspViolation", lambda report: csp_violations.append(report))
    page.add_init_script(REPORT_CSP)
    return page


def check_receipt(page, poll, typed):
    """Type a receipt into the poll page's "Check a receipt" form and send it."""
    page.goto(poll.get_absolute_url())
    page.get_by_label("Check a receipt").fill(typed)
    submit(page, "Check")


def test_a_voter_copies_their_receipt_and_checks_it_and_it_survives_a_change_of_vote(
    page, poll, csp_violations
):
    page.goto(poll.get_absolute_url())
    expect(page.locator("[data-receipt]")).to_have_count(0)  # no ballot, no receipt
    vote_for(page, "Plum")
    assert page.url.split("?")[0].endswith(reverse("polls:results", args=[poll.pk]))
    code = page.locator("[data-receipt]").inner_text()
    assert RECEIPT.fullmatch(code), code
    [voter] = [
        cookie["value"].split(":")[0] for cookie in page.context.cookies() if cookie["name"] == COOKIE_NAME
    ]
    assert code == receipt_code(uuid.UUID(voter), poll.pk)

    copy = page.locator(".receipt").get_by_role("button")  # its name turns to "Copied"
    expect(copy).to_have_text("Copy receipt")
    copy.click()
    expect(copy).to_have_text("Copied")
    expect(page.locator(".receipt .copy-status")).to_have_text("Receipt copied to the clipboard.")
    assert page.evaluate("navigator.clipboard.readText()") == code

    check_receipt(page, poll, code.lower())  # typed as people do: lower case
    expect(page.locator(".verdict")).to_have_text("This ballot is counted; it holds: Plum.")
    expect(page.locator("[data-receipt]")).to_have_text(code)
    expect(page.get_by_label("Check a receipt")).to_have_value(code.lower())

    page.goto(poll.get_absolute_url())
    vote_for(page, "Teal", button="Change vote")
    expect(page.locator(".message")).to_contain_text("Your vote was changed from")
    expect(page.locator("[data-receipt]")).to_have_text(code)
    check_receipt(page, poll, code.replace("-", " ").lower())
    expect(page.locator(".verdict")).to_have_text("This ballot is counted; it holds: Teal.")

    # A receipt nobody holds: the friendly 404 page, in this browser too.
    check_receipt(page, poll, receipt_code(uuid.uuid4(), poll.pk))
    expect(page.locator(".verdict")).to_contain_text("No ballot of this poll has the receipt")
    assert csp_violations == []
