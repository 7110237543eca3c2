"""`manage.py backup` and `restore` on the engine the suite runs on (PostgreSQL or SQLite).

Tests that take a backup use ``committed_db``: pg_dump, another process, sees only committed rows.
"""

import json
import os
import sqlite3
import subprocess
import sys
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from core import workflow
from core.publishing import Status
from events.models import Event
from tests.core.backup_snapshot import ADDED_SOURCE_TITLE, snapshot
from tests.factories import (
    ActorAliasFactory,
    ActorFactory,
    AffiliationFactory,
    CitationFactory,
    EventFactory,
    ParticipationFactory,
    QuoteFactory,
    SourceFactory,
    StateFactory,
)


@pytest.fixture
def committed_db(event_types):
    """Rows committed for real, for pg_dump (another process) to see (a transactional test,
    with the CAMEO types seeded again: see the event_types fixture)."""


postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump and pg_restore")
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own checks")


def on_postgresql():
    return connection.vendor == "postgresql"


def backup_name(tmp_path):
    return tmp_path / ("relations.dump" if on_postgresql() else "relations.sqlite3")


def make_record():
    """A published event with participants, a citation and a quote, published through the
    workflow (so with history rows naming the editor), beside a draft that must stay a draft."""
    editor = get_user_model().objects.create_superuser(username="editor", email="", password="pw-for-tests-only")
    source = SourceFactory(title="Kremlin readout")
    putin = ActorFactory(name="Vladimir Putin", slug="vladimir-putin", country="RU")
    ActorAliasFactory(actor=putin, name="Путин", language="ru")
    xi = ActorFactory(name="Xi Jinping", slug="xi-jinping", country="CN")
    AffiliationFactory(
        person=xi, organization=StateFactory(name="China", slug="china", country="CN"), title="President"
    )
    event = EventFactory(slug="olympics-visit", title="Putin visits Beijing", status=Status.DRAFT, cited=False)
    CitationFactory(event=event, source=source, locator="paragraph 3")
    ParticipationFactory(event=event, actor=putin, role="initiator")
    ParticipationFactory(event=event, actor=xi, role="host")
    QuoteFactory(text="A friendship without limits", speaker=putin, source=source, event=event)
    workflow.send_to_review(obj=event, user=editor)
    workflow.publish(obj=event, user=editor, reason="Checked against the readout.")
    EventFactory(slug="draft-marker", title="DRAFT-MARKER", status=Status.DRAFT)


@pytest.fixture
def empty_database_url(tmp_path):
    """The address of an empty database of the suite's engine, for another process to restore into."""
    if not on_postgresql():
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg

    name = f"{connection.settings_dict['NAME']}_restored"
    db = connection.settings_dict
    server = dict(dbname="postgres", host=db["HOST"], port=db["PORT"], user=db["USER"], password=db["PASSWORD"])
    with psycopg.connect(**{k: v for k, v in server.items() if v}, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        yield urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}").geturl()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(args, database_url):
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": database_url, "API_THROTTLE": "0"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def event_slugs(snap):
    return [row["slug"] for page in snap["api"]["events"]["pages"] for row in page["results"]]


def rows_of(snap, model):
    return [row for row in snap["tables"] if row["model"] == model]


def test_backup_restored_into_an_empty_database_serves_exactly_the_same_records(
    committed_db, tmp_path, empty_database_url, capsys
):
    make_record()
    original = snapshot()
    path = backup_name(tmp_path)

    call_command("backup", str(path))
    written = capsys.readouterr().out
    restored = run(["manage.py", "restore", "--noinput", str(path)], empty_database_url)
    assert restored.returncode == 0, restored.stderr
    seen = run(["-m", "tests.core.backup_snapshot"], empty_database_url)
    assert seen.returncode == 0, seen.stderr
    copy = json.loads(seen.stdout)

    assert f"to {path} (" in written
    assert path.read_bytes().startswith(b"PGDMP" if on_postgresql() else b"SQLite format 3\x00")
    # What is compared is not empty: the published record, the hidden draft, the history.
    assert event_slugs(original) == ["olympics-visit"]
    assert "DRAFT-MARKER" not in json.dumps(original["api"])
    assert [row["fields"]["slug"] for row in rows_of(original, "events.event")] == ["olympics-visit", "draft-marker"]
    history = [row["fields"] for row in rows_of(original, "events.historicalevent")]
    assert [(row["slug"], row["history_change_reason"]) for row in history if row["history_user"]] == [
        ("olympics-visit", "Sent to review."),
        ("olympics-visit", "Checked against the readout."),
    ]
    assert len(original["api"]["actors"]["pages"]) == 2  # four actors, two to a page
    assert original["api"]["quotes"]["csv"].count("A friendship without limits") == 1
    # The copy, read by a process that knows only it, is the original to the byte...
    assert copy["before"] == original
    # ...and the comparison would notice a difference; the copy takes writes (its id sequences came along).
    assert copy["after"] != original
    assert ADDED_SOURCE_TITLE in json.dumps(copy["after"]["api"]["sources"])


def test_restore_brings_back_the_database_as_it_was_at_the_backup(committed_db, tmp_path):
    make_record()
    path = backup_name(tmp_path)
    call_command("backup", str(path))
    Event.objects.filter(slug="olympics-visit").update(title="Edited after the backup")
    Event.objects.filter(slug="draft-marker").delete()
    EventFactory(slug="added-after-the-backup")

    call_command("restore", str(path), interactive=False)

    assert list(Event.objects.order_by("slug").values_list("slug", "title")) == [
        ("draft-marker", "DRAFT-MARKER"),
        ("olympics-visit", "Putin visits Beijing"),
    ]


def test_restore_of_a_damaged_backup_fails_and_changes_nothing(committed_db, tmp_path):
    make_record()
    path = backup_name(tmp_path)
    call_command("backup", str(path))
    damaged = tmp_path / f"damaged{path.suffix}"
    # Cut off the end, as an interrupted copy would. PostgreSQL: the archive's table of contents
    # (at its start) still reads, the last table's rows do not, so pg_restore fails after it has
    # dropped and recreated tables. SQLite: the file is shorter than its header says.
    damaged.write_bytes(path.read_bytes()[:-200])
    Event.objects.filter(slug="olympics-visit").update(title="Edited after the backup")

    failure = "pg_restore failed; nothing was changed" if on_postgresql() else "is damaged: "
    with pytest.raises(CommandError, match=failure):
        call_command("restore", str(damaged), interactive=False)

    assert list(Event.objects.order_by("slug").values_list("slug", "title")) == [
        ("draft-marker", "DRAFT-MARKER"),
        ("olympics-visit", "Edited after the backup"),
    ]


def test_restore_asks_first_and_cancels_on_anything_but_yes(committed_db, tmp_path, monkeypatch):
    make_record()
    path = backup_name(tmp_path)
    call_command("backup", str(path))
    Event.objects.filter(slug="olympics-visit").update(title="Edited after the backup")
    questions = []
    monkeypatch.setattr("builtins.input", lambda question: questions.append(question) or "y")

    with pytest.raises(CommandError, match="Restore cancelled; nothing was changed."):
        call_command("restore", str(path))

    assert "replaces ALL data" in questions[0]
    assert Event.objects.get(slug="olympics-visit").title == "Edited after the backup"


@pytest.mark.django_db
def test_restore_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match=r"missing\.dump does not exist"):
        call_command("restore", str(tmp_path / "missing.dump"), interactive=False)


def other_engines_backup(path):
    if on_postgresql():
        sqlite3.connect(path).execute("CREATE TABLE django_migrations (id integer)").connection.close()
        return "is a SQLite backup, but the current database is the PostgreSQL database"
    path.write_bytes(b"PGDMP\x01\x0e\x00" + bytes(100))
    return "is a PostgreSQL backup, but the current database is the SQLite database"


def not_a_backup(path):
    path.write_text("id,title\n1,An export, not a backup\n")
    return "is not a backup made by `manage.py backup`"


@pytest.mark.django_db
@pytest.mark.parametrize("make_file", [other_engines_backup, not_a_backup])
def test_restore_refuses_a_file_of_the_wrong_kind_before_asking(tmp_path, make_file, monkeypatch):
    EventFactory(slug="still-here")
    path = tmp_path / "backup"
    message = make_file(path)
    monkeypatch.setattr("builtins.input", lambda question: pytest.fail("asked before refusing"))

    with pytest.raises(CommandError) as refusal:
        call_command("restore", str(path))

    assert message in str(refusal.value)
    assert list(Event.objects.values_list("slug", flat=True)) == ["still-here"]


@sqlite_only
@pytest.mark.django_db
def test_restore_refuses_a_sqlite_file_that_is_not_a_relations_database(tmp_path):
    path = tmp_path / "other.sqlite3"
    sqlite3.connect(path).execute("CREATE TABLE notes (body text)").connection.close()
    with pytest.raises(CommandError, match="not of a Relations database: it has no django_migrations"):
        call_command("restore", str(path), interactive=False)


@pytest.mark.django_db
def test_restore_refusal_exits_non_zero_with_the_message(tmp_path):
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_path / 'any.sqlite3'}"
    result = run(["manage.py", "restore", "--noinput", str(tmp_path / "missing.dump")], url)
    assert result.returncode == 1
    assert result.stderr.strip() == f"CommandError: {tmp_path / 'missing.dump'} does not exist (or is not a file)."


@pytest.mark.django_db
def test_backup_refuses_to_overwrite_a_file(tmp_path):
    path = backup_name(tmp_path)
    path.write_bytes(b"an older backup")
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", str(path))
    assert path.read_bytes() == b"an older backup"


@postgresql_only
def test_restore_refuses_when_tables_would_be_left_behind(committed_db, tmp_path):
    make_record()
    path = backup_name(tmp_path)
    call_command("backup", str(path))
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE added_by_a_later_migration (id integer)")
    try:
        with pytest.raises(CommandError, match='tables the backup does not: "added_by_a_later_migration"'):
            call_command("restore", str(path), interactive=False)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE added_by_a_later_migration")


@postgresql_only
@pytest.mark.django_db
def test_backup_refuses_when_pg_dump_is_not_on_path(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(CommandError, match="pg_dump was not found on PATH. Install the PostgreSQL 1"):
        call_command("backup", str(tmp_path / "x.dump"))
    assert not (tmp_path / "x.dump").exists()


@postgresql_only
@pytest.mark.django_db
def test_backup_refuses_a_pg_dump_older_than_the_server(tmp_path, monkeypatch):
    old = tmp_path / "pg_dump"
    old.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    old.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(CommandError, match=r"reports “pg_dump \(PostgreSQL\) 9.6.24”, older than the PostgreSQL"):
        call_command("backup", str(tmp_path / "x.dump"))
