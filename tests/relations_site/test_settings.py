import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from relations_site.settings import database_from_url, env_bool, env_list


def test_sqlite_url_is_tuned_for_a_web_server():
    config = database_from_url("sqlite:////tmp/relations.sqlite3")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == "/tmp/relations.sqlite3"
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "PRAGMA journal_mode=WAL;" in config["OPTIONS"]["init_command"]
    assert "PRAGMA busy_timeout=20000;" in config["OPTIONS"]["init_command"]


def test_postgres_url_uses_psycopg_with_persistent_connections():
    config = database_from_url("postgres://editor@db.internal:5433/relations")
    assert (config["ENGINE"], config["HOST"], config["PORT"], config["NAME"], config["USER"]) == (
        "django.db.backends.postgresql",
        "db.internal",
        5433,
        "relations",
        "editor",
    )
    assert config["CONN_MAX_AGE"] == 60
    assert "OPTIONS" not in config or "init_command" not in config["OPTIONS"]


def test_postgres_connection_attempts_give_up_after_seconds_not_minutes():
    assert database_from_url("postgres://editor@db.internal/relations")["OPTIONS"]["connect_timeout"] == 5
    config = database_from_url("postgres://editor@db.internal/relations?connect_timeout=2")
    assert int(config["OPTIONS"]["connect_timeout"]) == 2


def test_postgres_sessions_cost_pages_as_a_database_served_from_memory():
    config = database_from_url("postgres://editor@db.internal/relations")
    assert config["OPTIONS"]["options"] == "-c random_page_cost=1.1 -c cpu_index_tuple_cost=0.02 -c work_mem=16MB"
    config = database_from_url("postgres://editor@db.internal/relations?options=-c%20random_page_cost%3D4")
    assert config["OPTIONS"]["options"] == "-c random_page_cost=4"


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
def test_the_sessions_run_with_those_costs():
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone()[0] == "1.1"
        cursor.execute("SHOW cpu_index_tuple_cost")
        assert cursor.fetchone()[0] == "0.02"


def test_settings_refuse_a_statement_timeout_that_is_not_whole_milliseconds():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={"DJANGO_SETTINGS_MODULE": "relations_site.settings", "DEBUG": "1", "DB_STATEMENT_TIMEOUT_MS": "5s"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "DB_STATEMENT_TIMEOUT_MS must be whole milliseconds, not '5s'" in result.stderr


def test_env_bool_rejects_unclear_values(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG must be a boolean"):
        env_bool("SOME_FLAG")
    monkeypatch.setenv("SOME_FLAG", "Off")
    assert env_bool("SOME_FLAG", True) is False


def test_env_list_splits_and_trims(monkeypatch):
    monkeypatch.setenv("HOSTS", " relations.example , www.relations.example,")
    assert env_list("HOSTS") == ["relations.example", "www.relations.example"]


def test_settings_refuse_to_start_without_secret_key_when_debug_is_off():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={"DJANGO_SETTINGS_MODULE": "relations_site.settings", "DEBUG": "0", "PATH": ""},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is required when DEBUG is off" in result.stderr


# Production settings --------------------------------------------------------------------------


ROOT = Path(__file__).resolve().parents[2]


def production_env(**extra):
    # Not the test run's own settings (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE).
    dropped = ("DEBUG", "SECURE_SSL_REDIRECT", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    return {**env, "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "relations.example", **extra}


def test_deploy_check_passes_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_fails_when_https_is_switched_off():
    # The check is real: the same command fails once a production protection is removed.
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="0"),
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W008" in result.stderr


def test_a_short_secret_key_is_refused_at_start():
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**production_env(), "DJANGO_SETTINGS_MODULE": "relations_site.settings", "SECRET_KEY": "short"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be at least 50 characters" in result.stderr
