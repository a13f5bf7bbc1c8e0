"""
The catalogs (locale/<lang>/LC_MESSAGES): complete, compiled, and up to date with the code.

Checked with GNU gettext's own tools (msgattrib, msgfmt), as `makemessages` and `compilemessages`
use them; CI installs gettext (.ci/run).
"""

import gettext
import os
import shutil
import subprocess
import sys

import pytest
from django.conf import settings

LOCALE = settings.BASE_DIR / "locale"
TRANSLATED = [code for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
# What `makemessages` must not read: tools, the benchmark, the tests, collected files.
IGNORED = [".venv", ".tools", "bench", "node_modules", "artifacts", "staticfiles", "polls/tests"]


@pytest.fixture(scope="module")
def gettext_tools():
    if shutil.which("msgfmt") is None or shutil.which("msgattrib") is None:
        message = "needs GNU gettext (apt-get install gettext)"
        if os.environ.get("CI"):
            pytest.fail(message + "; CI must check the catalogs")
        pytest.skip(message)


def catalog(language, name="django.po"):
    return LOCALE / language / "LC_MESSAGES" / name


def entries(po_text):
    """The (context, msgid) of each entry of a .po file, its header left out."""
    found, fields, key = set(), {}, None
    for line in [*po_text.splitlines(), ""]:
        if line.startswith(("msgctxt ", "msgid ", "msgid_plural ", "msgstr")):
            key, _, line = line.partition(" ")
        if line.startswith('"'):
            fields[key] = fields.get(key, "") + unquoted(line)
        elif not line.strip() and fields:
            if fields.get("msgid"):
                found.add((fields.get("msgctxt"), fields["msgid"]))
            fields = {}
    return found


def unquoted(line):
    """A .po string's text: its quotes off, its escapes (\\n, \\") read."""
    return line[1:-1].encode().decode("unicode_escape").encode("latin-1").decode("utf-8")


def test_every_language_the_site_offers_has_a_catalog():
    assert TRANSLATED == ["fr", "de", "es"]
    for language in TRANSLATED:
        assert catalog(language).exists(), language
        assert catalog(language, "django.mo").exists(), language


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_catalog_has_no_untranslated_and_no_fuzzy_entry(gettext_tools, language):
    po = str(catalog(language))
    for flag in ("--untranslated", "--only-fuzzy"):
        left = subprocess.run(
            ["msgattrib", flag, "--no-wrap", po], capture_output=True, text=True, check=True
        )
        assert entries(left.stdout) == set(), f"{flag} in {language}"
    # msgfmt --check: every placeholder of an entry kept, the header and plural forms well formed.
    subprocess.run(["msgfmt", "--check", "-o", os.devnull, po], check=True)


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_committed_mo_is_what_its_po_compiles_to(gettext_tools, language, tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(compiled), str(catalog(language))], check=True)
    with compiled.open("rb") as fresh, catalog(language, "django.mo").open("rb") as committed:
        assert gettext.GNUTranslations(committed)._catalog == gettext.GNUTranslations(fresh)._catalog


def test_makemessages_finds_no_string_missing_from_the_catalogs(gettext_tools, tmp_path):
    """Run makemessages on a copy of the code: it must find exactly the catalogs' entries."""
    copy = tmp_path / "site"
    copy.mkdir()
    shutil.copy(settings.BASE_DIR / "manage.py", copy)
    skip = shutil.ignore_patterns("__pycache__", "tests", "*.mo")
    for folder in ("mysite", "polls", "templates", "static", "locale"):
        shutil.copytree(settings.BASE_DIR / folder, copy / folder, ignore=skip)
    command = ["makemessages", "--no-obsolete", *[f"--ignore={path}" for path in IGNORED]]
    command += [f"--locale={language}" for language in TRANSLATED]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mysite.settings"}
    subprocess.run(
        [sys.executable, "manage.py", *command], cwd=copy, env=env, check=True, capture_output=True
    )
    for language in TRANSLATED:
        made = (copy / "locale" / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
        committed = catalog(language).read_text(encoding="utf-8")
        assert entries(made) == entries(committed), f"run makemessages and translate ({language})"
        untranslated = subprocess.run(
            ["msgattrib", "--untranslated", "--no-wrap", "-"], input=made, capture_output=True, text=True
        )
        assert entries(untranslated.stdout) == set(), language
