"""No secret in the repository, and no production start with DEBUG on or a key that is not secret."""

import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# What leaked credentials look like. Each pattern names a kind, so a failure says what was found.
LEAKS = {
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "AWS access key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36}\b"),
    # Hosts under example.com are documentation (RFC 2606), as in a test's made-up URL.
    "URL with a password": re.compile(r"\b[a-z+]+://[^/\s:@'\"]+:[^/\s@'\"]+@(?![\w.-]*example\.com\b)"),
    # A quoted value of 20 characters or more, not built by the shell ($...) at run time.
    "literal Django key": re.compile(
        r"SECRET_KEY\s*=\s*[\"'](?!django-insecure-local-development-only)[^\"'$]{20,}[\"']"
    ),
    "Heroku API key": re.compile(r"HEROKU_API_KEY\s*[=:]\s*\S+"),
}
# The one literal key is the development fallback, used only when DJANGO_DEBUG=1 and refused by
# wsgi.py otherwise; this test proves that refusal below.
DEVELOPMENT_KEY = "django-insecure-local-development-only"


def tracked_files():
    names = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True)
    return [ROOT / name for name in names.stdout.split("\0") if name and (ROOT / name).is_file()]


def test_no_secret_is_committed():
    found = []
    for path in tracked_files():
        if path.suffix in {".png", ".svg", ".ico", ".woff2"} or path == Path(__file__):
            continue  # images, and this file's own made-up samples
        text = path.read_text(errors="replace")
        found += [f"{path.relative_to(ROOT)}: {kind}" for kind, leak in LEAKS.items() if leak.search(text)]
    assert found == []


def test_no_environment_file_or_key_file_is_committed():
    names = [path.name for path in tracked_files()]
    assert [name for name in names if name.startswith(".env") or name.endswith((".pem", ".key"))] == []


def test_the_leak_patterns_find_what_they_are_meant_to_find():
    samples = [
        "-----BEGIN RSA PRIVATE KEY-----",
        "AKIAABCDEFGHIJKLMNOP",
        "postgres://polls:hunter2@db.internal.acme.io/polls",
        'SECRET_KEY = "abcdefghijklmnopqrstuvwxyz0123"',
    ]
    assert [any(leak.search(sample) for leak in LEAKS.values()) for sample in samples] == [True] * 4
    assert not LEAKS["URL with a password"].search("postgres://postgres@127.0.0.1:5432/polls")
    assert not LEAKS["literal Django key"].search(f'SECRET_KEY = "{DEVELOPMENT_KEY}"')


def start_web_process(**env):
    """Import the WSGI application as gunicorn does on a dyno, with only the given environment."""
    environment = {
        "PATH": "/usr/bin:/bin",
        "DYNO": "web.1",
        "DJANGO_SETTINGS_MODULE": "mysite.settings",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", "import mysite.wsgi"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "refusal"),
    [
        ({}, "DJANGO_SECRET_KEY is not set"),
        ({"DJANGO_SECRET_KEY": ""}, "DJANGO_SECRET_KEY is not set"),
        ({"DJANGO_SECRET_KEY": DEVELOPMENT_KEY}, "a development key"),
        ({"DJANGO_SECRET_KEY": "django-insecure-" + secrets.token_urlsafe(50)}, "a development key"),
        ({"DJANGO_SECRET_KEY": "changeme"}, "too short"),
        ({"DJANGO_DEBUG": "1", "DJANGO_SECRET_KEY": secrets.token_urlsafe(50)}, "DJANGO_DEBUG is on"),
        ({"DJANGO_DEBUG": "1"}, "DJANGO_DEBUG is on"),
    ],
    ids=[
        "no key",
        "empty key",
        "development key",
        "generated insecure key",
        "short key",
        "debug",
        "debug no key",
    ],
)
def test_production_refuses_to_start_with_debug_on_or_a_key_that_is_not_secret(env, refusal):
    started = start_web_process(**env)
    assert started.returncode != 0
    assert "ImproperlyConfigured" in started.stderr
    assert refusal in started.stderr


def test_production_starts_with_a_real_key_and_debug_off():
    started = start_web_process(DJANGO_SECRET_KEY=secrets.token_urlsafe(50))
    assert started.returncode == 0, started.stderr
