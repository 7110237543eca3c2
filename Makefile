# Relations: `make run` to try it, `make test` to test it. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py

.PHONY: run test test-quick schemathesis lint bench bench-mixed bench-writes loadtest serve deploy-check secret-key backup restore migrate setup-local clean-venv

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

# Production: gunicorn on $(BIND) with static files by whitenoise. Everything else comes from
# the environment: SECRET_KEY (make secret-key), ALLOWED_HOSTS, DATABASE_URL, CACHE_URL, and
# CSRF_TRUSTED_ORIGINS. It expects a TLS proxy in front that sets X-Forwarded-Proto: plain HTTP is
# redirected to HTTPS, and the deployment check refuses to start with that switched off.
BIND ?= 127.0.0.1:8000
WORKERS ?= 2
serve: export DEBUG = 0
serve: $(VENV)/.installed
	$(MANAGE) check --deploy --fail-level WARNING
	$(MANAGE) migrate --noinput
	$(MANAGE) collectstatic --noinput -v0
	$(BIN)/gunicorn relations_site.wsgi:application --bind $(BIND) --workers $(WORKERS) \
		--timeout 60 --graceful-timeout 30 --max-requests 10000 --max-requests-jitter 1000 \
		--forwarded-allow-ips "$${FORWARDED_ALLOW_IPS:-127.0.0.1}" --access-logfile -

# Django's deployment checklist with production settings (a throwaway key and host).
deploy-check: $(VENV)/.installed
	DEBUG=0 SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		ALLOWED_HOSTS=relations.example $(MANAGE) check --deploy --fail-level WARNING

secret-key: $(VENV)/.installed
	@$(PY) -c 'import secrets; print(secrets.token_urlsafe(50))'

# The whole suite: SQLite by default, PostgreSQL when DATABASE_URL points there.
test: $(VENV)/.installed
	$(BIN)/pytest

# The suite without the generated cases (marker `generated`: the permission matrix, the write
# paths, the bad-input corpus), for a quick run while working: under a minute on SQLite where
# the whole suite takes two. CI runs them all with `make test`.
test-quick: $(VENV)/.installed
	$(BIN)/pytest -m "not generated"

# Schemathesis with every check against a live server on a fresh database with the seed
# article, as an anonymous client and as an editor's tool (.ci/schemathesis; a few minutes).
# SQLite in a temporary directory, or a PostgreSQL DATABASE_URL (that database is recreated).
schemathesis: $(VENV)/.installed
	.ci/schemathesis

lint: export DEBUG ?= 1
lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(MANAGE) makemigrations --check --dry-run

# Project vs a bare psycopg+orjson baseline on a PostgreSQL database of BENCH_EVENTS events
# (default 1,000,000; built on first run, reused after). Needs wrk (installed if missing).
bench: $(VENV)/.installed
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(PY) bench/run.py

# The mixed workload alone (bench/mixed.py): thousands of distinct filter combinations, cache
# on but cold, the JSON list and the HTML list with facets, project against baseline.
bench-mixed: $(VENV)/.installed
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(PY) bench/run.py --mixed

# The public writes alone (bench/writes.py): publishing, correcting and withdrawing an event,
# withdrawing, renaming and publishing again the most linked actor, each rolled back.
bench-writes: $(VENV)/.installed
	$(PY) bench/run.py --writes

# A consistent copy of the database (DATABASE_URL, else db.sqlite3): pg_dump's custom format on
# PostgreSQL, SQLite's online backup otherwise. Into backups/ with a UTC timestamp, or BACKUP=path.
backup: export DEBUG ?= 1
backup: $(VENV)/.installed
	$(MANAGE) backup $(BACKUP)

# Replace everything in the database with BACKUP=path, in one transaction. Asks first; NOINPUT=1 does not.
restore: export DEBUG ?= 1
restore: $(VENV)/.installed
	@test -n "$(BACKUP)" || { echo "Which backup? make restore BACKUP=backups/relations-….dump" >&2; exit 2; }
	$(MANAGE) restore $(if $(NOINPUT),--noinput) $(BACKUP)

# 64 connections for 60 s over public reads while two editors write through the API, then the
# same with PostgreSQL stopped for 5 s in the middle; checks that no acknowledged write is lost
# (bench/loadtest.py; database relations_loadtest, 20,000 events, built on first run). Restarts
# the local PostgreSQL cluster: other sessions on it lose their connections.
loadtest: $(VENV)/.installed
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(PY) bench/loadtest.py

clean-venv:
	rm -rf $(VENV)
