"""What a person does in the browser tests, each step waiting until the next page has loaded."""

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def submit(page, button):
    """Press a form's button and wait for the page it leads to (after any redirect)."""
    # Without the wait, a test's next goto() can abort the POST in flight, or read the old page.
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()


def vote_for(page, label, button="Vote"):
    page.get_by_label(label).check()
    submit(page, button)
