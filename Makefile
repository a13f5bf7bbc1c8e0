# The README's commands. CI (.ci/run) calls `make test`, the same target a person runs.
PYTHON ?= python3.13
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py

.PHONY: help install install-dev run test lint format messages compilemessages stress bench heroku-local clean

help:
	@echo "make run     serve the site with demo polls on http://127.0.0.1:8000 (SQLite)"
	@echo "make test    lint, migration check and the whole test suite"
	@echo "make stress  the multi-server vote scenario at a large size"
	@echo "make bench   load-test every page on PostgreSQL and print figures"
	@echo "make heroku-local  build, release and run two web dynos from the Procfile, as Heroku does"
	@echo "make messages      update locale/*/LC_MESSAGES/django.po from the code (then translate)"
	@echo "make compilemessages  compile them into the .mo files that are committed"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

run: install
	DJANGO_DEBUG=1 $(MANAGE) migrate --noinput
	DJANGO_DEBUG=1 $(MANAGE) seed_demo
	DJANGO_DEBUG=1 $(MANAGE) runserver 127.0.0.1:8000

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MANAGE) makemigrations --check --dry-run

# The catalogs (docs/i18n.md): every language but English, from everything but tools and tests.
LANGUAGE_CODES := fr de es
MESSAGES_IGNORED := .venv .tools bench node_modules artifacts staticfiles polls/tests

messages: install
	$(MANAGE) makemessages --no-obsolete $(addprefix --locale=,$(LANGUAGE_CODES)) $(addprefix --ignore=,$(MESSAGES_IGNORED))

compilemessages: install
	$(MANAGE) compilemessages --ignore=.venv

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The Nu HTML Checker for the markup test: a jar shipped inside an npm package, run on the machine's
# Java 17. Kept under .tools/ (gitignored), no package.json; --ignore-scripts skips its postinstall,
# which would download a Java runtime this machine already has.
VNU_JAR := .tools/node_modules/vnu-jar/build/dist/vnu.jar

$(VNU_JAR):
	npm install --no-save --no-package-lock --no-audit --no-fund --ignore-scripts --prefix .tools vnu-jar@26.9.27

test: lint $(VNU_JAR)
	$(BIN)/pytest $(PYTEST_ARGS)

# The benchmark (bench/, outside the app) on its own database, created if missing: its data set
# replaces every poll in it. bench.settings are production's plus Django's floor page.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/polls_bench_big
BENCH_ARGS ?=

bench: install-dev
	command -v wrk >/dev/null || apt-get install -y wrk || (apt-get update && apt-get install -y wrk)
	psql "$(BENCH_DATABASE_URL)" -c "select 1" >/dev/null 2>&1 || \
		psql "$(dir $(BENCH_DATABASE_URL))postgres" -c "create database $(notdir $(BENCH_DATABASE_URL))"
	DATABASE_URL="$(BENCH_DATABASE_URL)" DJANGO_SETTINGS_MODULE=bench.settings \
		DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-bench-$$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')}" \
		$(BIN)/python -m bench $(BENCH_ARGS)

# What Heroku does with a push, here: a fresh virtualenv from requirements.txt alone (the slug's
# packages), then polls/tests/test_heroku.py runs collectstatic with no config var, the release
# command and two web dynos through honcho against that virtualenv. Needs PostgreSQL.
heroku-local: install-dev
	@case "$$DATABASE_URL" in postgres*) ;; *) echo "set DATABASE_URL=postgres://..." >&2; exit 1;; esac
	slug=$$(mktemp -d) && trap 'rm -rf "$$slug"' EXIT && \
	$(PYTHON) -m venv "$$slug" && "$$slug/bin/pip" install --quiet -r requirements.txt && \
	SLUG_BIN="$$slug/bin" $(BIN)/pytest polls/tests/test_heroku.py -s -v $(PYTEST_ARGS)

# Several gunicorn servers on the PostgreSQL database DATABASE_URL names; VOTERS browsers vote
# across them. Prints voters, ballots, totals, lost, doubled, 5xx and throughput; fails unless exact.
VOTERS ?= 5000
stress: install-dev
	$(BIN)/python -m polls.tests.harness.multiserver --voters $(VOTERS)

clean:
	rm -rf $(VENV) .tools artifacts staticfiles .pytest_cache .ruff_cache db.sqlite3
