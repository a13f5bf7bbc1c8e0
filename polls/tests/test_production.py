"""Production configuration: the health check, every variable documented, the Python version."""

import ast
import json
import re
import sys
from pathlib import Path

import pytest
from django.db import OperationalError, connection

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_the_health_check_answers_plain_http_without_cookies(client):
    """Uptime probes call the dyno without the router's HTTPS header and without a session."""
    probe = client.get("/healthz", headers={"X-Forwarded-Proto": "http"})
    assert probe.status_code == 200
    assert probe.content == b"ok\n"
    assert not probe.cookies
    assert "no-store" in probe["Cache-Control"]


@pytest.mark.django_db
def test_the_health_check_answers_503_when_the_database_does_not(client, monkeypatch):
    def unreachable():
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", unreachable)
    probe = client.get("/healthz")
    assert probe.status_code == 503
    assert not probe.cookies


# Set by the platform on every dyno, never by the app's owner.
NOT_CONFIGURATION = {"DYNO", "PORT"}


def variables_read_by(path):
    """Names passed to os.environ.get, os.getenv, env_bool, env_list, looked up in os.environ or read
    by dj_database_url.config."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        called = ast.unparse(node.func) if isinstance(node, ast.Call) else None
        if called == "dj_database_url.config":
            names.add("DATABASE_URL")  # its default env= argument
        elif called in {"os.environ.get", "os.getenv", "env_bool", "env_list"}:
            if isinstance(node.args[0], ast.Constant):  # not env_bool's own os.environ.get(name)
                names.add(node.args[0].value)
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            names.add(ast.literal_eval(node.slice))
        elif isinstance(node, ast.Compare) and ast.unparse(node.comparators[0]) == "os.environ":
            names.add(ast.literal_eval(node.left))
    return names - NOT_CONFIGURATION


def test_every_variable_the_app_reads_is_documented_in_app_json_and_the_readme():
    read = variables_read_by(ROOT / "mysite" / "settings.py") | variables_read_by(ROOT / "gunicorn.conf.py")
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "WEB_CONCURRENCY"} <= read  # the parser finds them
    app_json = json.loads((ROOT / "app.json").read_text())
    in_app_json = set(app_json["env"]) | {"DATABASE_URL"}  # DATABASE_URL comes with the add-on
    assert read - in_app_json == set(), "add these to app.json's env"
    readme_rows = set(re.findall(r"^\| `([A-Z_]+)` \|", (ROOT / "README.md").read_text(), re.MULTILINE))
    assert read - readme_rows == set(), "add these to README.md's Configuration table"
    assert app_json["env"]["DJANGO_SECRET_KEY"]["generator"] == "secret"
    assert "heroku-postgresql" in app_json["addons"]


def test_the_python_version_is_the_major_version_only_for_both_readers():
    # runtime.txt: Heroku's classic buildpack (read first, deprecated); .python-version: pyenv, uv, CNB.
    assert (ROOT / "runtime.txt").read_text() == "python-3.13\n"
    assert (ROOT / ".python-version").read_text() == "3.13\n"
    assert sys.version_info[:2] == (3, 13)
