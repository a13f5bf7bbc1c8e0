"""Every page type is valid HTML by the Nu HTML Checker (vnu.jar from the vnu-jar npm package)."""

import json
import os
import shutil
import subprocess
from collections import defaultdict

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error

from .showcase import get_pages, make_showcase

pytestmark = pytest.mark.django_db

# `make test` installs it (see the Makefile); the jar runs on the machine's Java 17.
VNU_JAR = settings.BASE_DIR / ".tools/node_modules/vnu-jar/build/dist/vnu.jar"


@pytest.fixture
def vnu():
    """The command that checks HTML files; skipped without Java or the jar, except in CI."""
    java = shutil.which("java")
    if java is None or not VNU_JAR.exists():
        message = f"needs Java and {VNU_JAR.relative_to(settings.BASE_DIR)} (`make test` installs it)"
        if os.environ.get("CI"):
            pytest.fail(message + "; CI must check the markup")
        pytest.skip(message)
    return [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json"]


def collect_pages(client, csrf_client, rf, language):
    """Fetch every page type the site can answer with, in `language`: name -> HTML."""
    for browser in (client, csrf_client):
        browser.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    pages = {"empty polls list": client.get(reverse("polls:index"))}
    polls = make_showcase()
    for name, (path, status) in get_pages(polls).items():
        pages[name] = client.get(path)
        assert pages[name].status_code == status, name
    open_vote = reverse("polls:vote", args=[polls.open.pk])
    pages["poll with errors"] = client.post(open_vote, {})
    pages["vote on a closed poll"] = client.post(
        reverse("polls:vote", args=[polls.closed.pk]), {"choice": polls.closed.choices.first().pk}
    )
    pages["403 CSRF page"] = csrf_client.post(open_vote, {"choice": polls.open.choices.first().pk})
    pages["400 page"] = client.get(reverse("polls:index"), headers={"host": "elsewhere.example"})
    pages["results after voting"] = client.post(
        open_vote, {"choice": polls.open.choices.last().pk}, follow=True
    )
    pages["poll after voting"] = client.get(polls.open.get_absolute_url())
    editor = get_user_model().objects.create_user("no-rights", password="unused-here", is_staff=True)
    client.force_login(editor)
    pages["403 page"] = client.get(reverse("admin:polls_question_add"))
    with translation.override(language):  # as LocaleMiddleware would have it for this request
        pages["500 page"] = server_error(rf.get("/"))
    expected = {"poll with errors": 400, "vote on a closed poll": 403, "403 CSRF page": 403, "400 page": 400}
    expected |= {"403 page": 403, "500 page": 500}
    for name, status in expected.items():
        assert pages[name].status_code == status, name
    for name, response in pages.items():
        assert f'<html lang="{language}"' in response.content.decode(), name
    return {name: response.content.decode() for name, response in pages.items()}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_page_type_is_valid_html(client, csrf_client, rf, vnu, tmp_path, language):
    pages = collect_pages(client, csrf_client, rf, language)
    # A known-bad page proves the checker really read the files and reports by file.
    pages["control"] = "<!doctype html><html lang=en><title>Control</title><p><div></p>"
    files = {}
    for number, (name, html) in enumerate(pages.items()):
        path = tmp_path / f"page-{number}.html"
        path.write_text(html, encoding="utf-8")
        files[path.name] = name
    checked = subprocess.run([*vnu, *map(str, sorted(tmp_path.iterdir()))], capture_output=True, text=True)
    errors = defaultdict(list)
    for message in json.loads(checked.stderr)["messages"]:
        where = files.get(message.get("url", "").rpartition("/")[2], "vnu itself")
        errors[where].append(f"line {message.get('lastLine')}: {message['message']}")
    assert errors.pop("control")
    assert dict(errors) == {}
    assert len(pages) == 28
