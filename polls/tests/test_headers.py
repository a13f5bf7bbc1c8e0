"""Security headers on every kind of page, the admin and the error pages included."""

import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from polls import paging

from .admin_helpers import change_url, make_editor
from .factories import make_browser, make_question

pytestmark = pytest.mark.django_db


class InlineCode(HTMLParser):
    """Collect what a policy without 'unsafe-inline' blocks: inline <script> and <style>,
    style="" attributes and on*="" handlers."""

    def __init__(self, html):
        super().__init__()
        self.found = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if (tag == "script" and "src" not in names) or tag == "style":
            self.found.append(f"<{tag}>")
        self.found += [f"{tag} {name}=" for name in names if name == "style" or name.startswith("on")]


def fail_with(monkeypatch, error):
    """Make the poll list's read of a page of polls raise `error`."""

    def broken(listing, number, size):
        raise error

    monkeypatch.setattr(paging, "window", broken)


def page_kinds(client, question, monkeypatch, settings):
    """Yield (kind, response) for every kind of page the site answers with."""
    detail = question.get_absolute_url()
    vote = reverse("polls:vote", args=[question.pk])
    choice = question.choices.first().pk
    yield "list", client.get(reverse("polls:index"))
    yield "closed list", client.get(reverse("polls:closed"))
    yield "detail", client.get(detail)
    yield "results", client.get(reverse("polls:results", args=[question.pk]))
    yield "qr code", client.get(reverse("polls:qr", args=[question.pk]))
    yield "live tally", client.get(reverse("polls:live_tally", args=[question.pk]))
    yield "results json", client.get(reverse("polls:results_json", args=[question.pk]))
    yield "health", client.get(reverse("health"))
    yield "vote accepted (302)", client.post(vote, {"choice": choice})
    yield "vote refused (400)", client.post(vote, {"choice": "nope"})
    yield "no such page (404)", client.get("/polls/999999/")
    yield "wrong method (405)", client.get(vote)
    yield "CSRF failure (403)", make_browser(enforce_csrf_checks=True).post(vote, {"choice": choice})
    yield "admin login", client.get(reverse("admin:login"))
    editor = make_editor(superuser=True)
    yield "admin index", editor.get(reverse("admin:index"))
    yield "admin change form", editor.get(change_url(question))
    settings.POLLS_VOTE_RATE_LIMIT = 1
    make_browser().post(vote, {"choice": choice})
    yield "rate limited (429)", make_browser().post(vote, {"choice": choice})
    fail_with(monkeypatch, OperationalError("the database is restarting"))
    yield "database away (503)", client.get(reverse("polls:index"))
    fail_with(monkeypatch, RuntimeError("a bug"))
    yield (
        "server error (500)",
        Client(raise_request_exception=False, headers={"X-Forwarded-Proto": "https"}).get(
            reverse("polls:index")
        ),
    )


def test_every_kind_of_page_carries_the_security_headers(client, monkeypatch, settings):
    question = make_question()
    seen = {}
    for kind, response in page_kinds(client, question, monkeypatch, settings):
        seen[kind] = response.status_code
        csp = response.get("Content-Security-Policy", "")
        assert "default-src 'none'" in csp, kind
        assert "frame-ancestors 'none'" in csp, kind
        assert "unsafe-inline" not in csp, kind
        assert "unsafe-eval" not in csp, kind
        assert response["X-Frame-Options"] == "DENY", kind
        assert response["X-Content-Type-Options"] == "nosniff", kind
        assert response["Referrer-Policy"] == "same-origin", kind
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", kind
        assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload", kind
    assert seen == {
        "list": 200, "closed list": 200, "detail": 200, "results": 200, "qr code": 200,
        "live tally": 200, "results json": 200, "health": 200,
        "vote accepted (302)": 302, "vote refused (400)": 400, "no such page (404)": 404,
        "wrong method (405)": 405, "CSRF failure (403)": 403, "admin login": 200, "admin index": 200,
        "admin change form": 200, "rate limited (429)": 429, "database away (503)": 503,
        "server error (500)": 500,
    }  # fmt: skip


def test_no_page_has_inline_script_or_style_that_the_policy_would_block(client, monkeypatch, settings):
    question = make_question(question_text="<style>x</style> style=bad", choices=("<script>1</script>", "B"))
    for kind, response in page_kinds(client, question, monkeypatch, settings):
        if response["Content-Type"].startswith("text/html"):
            assert InlineCode(response.content.decode()).found == [], kind


def test_cookies_are_secure_httponly_and_lax_in_production(client, csrf_client):
    question = make_question()
    detail = csrf_client.get(question.get_absolute_url())
    csrf = detail.cookies["csrftoken"]
    assert csrf["secure"]
    assert csrf["samesite"] == "Lax"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', detail.text).group(1)
    voted = csrf_client.post(
        reverse("polls:vote", args=[question.pk]),
        {"choice": question.choices.first().pk, "csrfmiddlewaretoken": token},
        headers={"Referer": "https://testserver" + question.get_absolute_url()},
    )
    assert voted.status_code == 302
    changed = csrf_client.post(
        reverse("polls:vote", args=[question.pk]),
        {"choice": question.choices.last().pk, "csrfmiddlewaretoken": token},
        headers={"Referer": "https://testserver" + question.get_absolute_url()},
    )
    assert changed.status_code == 302
    # The poll page gives the voter cookie; a changed vote, its flash message.
    for name, cookie in (("voter", detail.cookies["voter"]), ("messages", changed.cookies["messages"])):
        assert cookie["secure"], name
        assert cookie["httponly"], name
        assert cookie["samesite"] == "Lax", name


def test_plain_http_is_redirected_to_https(db):
    response = Client().get(reverse("polls:index"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_production_settings_turn_on_hsts_and_secure_cookies():
    """What a dyno gets from the environment alone: DEBUG off, HSTS for a year, Secure cookies."""
    read = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_SSL_REDIRECT, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.X_FRAME_OPTIONS)"
    )
    env = {"DYNO": "web.1", "DJANGO_SETTINGS_MODULE": "mysite.settings", "PATH": "/usr/bin:/bin"}
    shown = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {read}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.split()
    assert shown == ["False", "31536000", "True", "True", "True", "True", "True", "DENY"]
