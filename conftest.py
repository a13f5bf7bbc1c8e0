"""
Project-wide test setup: a throwaway secret, collected static files, an empty cache for every test
and an HTTPS test client.
"""

import os
import secrets

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection

from polls.tests.admin_helpers import make_editor
from polls.tests.factories import make_browser

# Tests run with production settings (DEBUG off), which have no fallback key. Set one for this run
# only; the environment carries it into the gunicorn servers that some tests start.
if not os.environ.get("DJANGO_SECRET_KEY"):
    os.environ["DJANGO_SECRET_KEY"] = "test-only-" + secrets.token_urlsafe(32)
    settings.SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]


@pytest.fixture(scope="session", autouse=True)
def collected_static():
    """Collect static files as the Heroku build does, so pages use the real hashed manifest."""
    call_command("collectstatic", "--noinput", verbosity=0)


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts with nothing cached: no fragment of another test's poll, or of its own warm-up."""
    cache.clear()


@pytest.fixture
def client():
    """A browser behind Heroku's router: the site sees HTTPS through X-Forwarded-Proto."""
    return make_browser()


@pytest.fixture
def csrf_client():
    """Like `client`, but with CSRF checks on, as a real browser meets them."""
    return make_browser(enforce_csrf_checks=True)


@pytest.fixture
def editor():
    """Like `client`, logged into the admin as a superuser."""
    return make_editor(superuser=True)


@pytest.fixture
def postgres():
    """Skip a test that needs PostgreSQL on SQLite; in CI, fail instead (CI must run it)."""
    if connection.vendor != "postgresql":
        message = "needs PostgreSQL: set DATABASE_URL=postgres://..."
        if os.environ.get("CI"):
            pytest.fail(message + " (CI must run this test)")
        pytest.skip(message)
