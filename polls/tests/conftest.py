"""Browser fixtures: one Debian Chromium for the session, a fresh context per test, a live server."""

import os
from pathlib import Path

import pytest
from django.test import override_settings
from pytest_django.live_server_helper import LiveServer

from .browsing import DESKTOP

CHROMIUM = Path("/usr/bin/chromium")
# As this machine's browser checks run it: no sandbox (root), and none of the background traffic
# to Google's hosts that a closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def live_server():
    """
    pytest-django's live server (same name, so tests using it still get a transactional database),
    serving static files as production does and started with the HTTPS redirect off.

    Its default static handler looks files up unhashed in the apps, so the manifest's hashed
    stylesheet would 404; with no handler WhiteNoise serves the collected files, as on Heroku.
    It speaks plain HTTP, and SecurityMiddleware reads SECURE_SSL_REDIRECT once, when the server
    loads its middleware, so a test's `settings` fixture would come too late to turn it off. The
    override lasts only while the server starts; the rest of the suite keeps the redirect.
    """
    server = LiveServer(os.environ.get("DJANGO_LIVE_TEST_SERVER_ADDRESS", "localhost"), start=False)
    server.thread.static_handler = _as_is
    with override_settings(SECURE_SSL_REDIRECT=False):
        server.start()
    yield server
    server.stop()


def _as_is(application):
    return application


@pytest.fixture
def plain_http(live_server, settings):
    """The live server's base URL, with cookies a browser keeps over plain HTTP."""
    # Production marks the session, CSRF, message and voter cookies Secure; the live server is
    # plain http, where a browser would drop them. These are read per response, so `settings` works.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    return live_server.url


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, launched once: Playwright cannot download a browser here."""
    if not CHROMIUM.exists():
        message = f"needs Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message + "; CI must run the browser tests")
        pytest.skip(message)
    # Playwright's sync API keeps an asyncio loop in this thread, and Django refuses ORM calls
    # where a loop runs. The tests call the ORM between browser steps, one thing at a time.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_context(browser, plain_http):
    """Open browser contexts (separate cookie jars, like separate browsers) and close them after."""
    opened = []

    def open_context(**options):
        options.setdefault("viewport", DESKTOP)
        context = browser.new_context(base_url=plain_http, **options)
        context.set_default_timeout(10_000)
        opened.append(context)
        return context

    yield open_context
    for context in opened:
        context.close()


@pytest.fixture
def page_errors():
    """Script errors and CSP refusals seen by the pages a test opened."""
    return []


@pytest.fixture
def open_page(new_context, page_errors):
    """Open pages in new contexts; the test fails if any of them met a script error or a CSP refusal."""

    def open_one(**options):
        page = new_context(**options).new_page()
        page.on("pageerror", lambda error: page_errors.append(str(error)))
        page.on("console", lambda message: _record_console_error(message, page_errors))
        page.on("response", lambda response: _record_missing_resource(response, page_errors))
        return page

    yield open_one
    assert page_errors == [], "script errors, CSP refusals or missing files in the browser"


def _record_console_error(message, errors):
    # "Failed to load resource" is also logged for a 4xx page itself, the status under test;
    # _record_missing_resource catches the failures that matter (a stylesheet, an image, a script).
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        errors.append(message.text)


def _record_missing_resource(response, errors):
    if response.status >= 400 and response.request.resource_type != "document":
        errors.append(f"{response.status} for {response.url}")


@pytest.fixture
def page(open_page):
    """A desktop page in a fresh context (a new browser, as far as cookies go)."""
    return open_page()
