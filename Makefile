# Relations: `make run` to try it, `make test` to test it. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py

.PHONY: run test lint migrate setup-local clean-venv

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

clean-venv:
	rm -rf $(VENV)
