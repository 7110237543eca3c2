# Relations: `make run` to try it, `make test` to test it. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py

.PHONY: run test lint bench loadtest migrate setup-local clean-venv

# The venv is rebuilt only when the requirements change.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# Local development server on SQLite (or DATABASE_URL if set), with the seed article.
run: export DEBUG ?= 1
run: $(VENV)/.installed
	$(MANAGE) migrate --noinput
	$(MANAGE) setup_local
	$(MANAGE) runserver 127.0.0.1:8000

# The whole suite: SQLite by default, PostgreSQL when DATABASE_URL points there.
test: $(VENV)/.installed
	$(BIN)/pytest

lint: export DEBUG ?= 1
lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(MANAGE) makemigrations --check --dry-run

# Project vs a bare psycopg+orjson baseline on a PostgreSQL database of BENCH_EVENTS events
# (default 1,000,000; built on first run, reused after). Needs wrk (installed if missing).
bench: $(VENV)/.installed
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(PY) bench/run.py

# 64 connections for 60 s over public reads while two editors write through the API, then the
# same with PostgreSQL stopped for 5 s in the middle; checks that no acknowledged write is lost
# (bench/loadtest.py; database relations_loadtest, 20,000 events, built on first run). Restarts
# the local PostgreSQL cluster: other sessions on it lose their connections.
loadtest: $(VENV)/.installed
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(PY) bench/loadtest.py

clean-venv:
	rm -rf $(VENV)
