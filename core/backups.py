"""Backup and restore of the whole database, for `manage.py backup` / `restore` (and `make`).

PostgreSQL: pg_dump's custom format (a consistent snapshot, compressed, restorable object by
object) and pg_restore in one transaction, so a restore that fails part-way leaves the database
as it was. SQLite: the online backup API, which copies a consistent snapshot page by page while
the web server keeps writing; copying the file of a live WAL database could catch it half-written.

A backup file says what it is in its first bytes, so a restore refuses the other engine's file
before touching anything.
"""

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.core.management.base import CommandError
from django.db.backends.postgresql.client import DatabaseClient
from psycopg.conninfo import make_conninfo

PG_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"
EXTENSIONS = {"postgresql": "dump", "sqlite": "sqlite3"}
ENGINE_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}


def extension(connection):
    return EXTENSIONS[supported_vendor(connection)]


def supported_vendor(connection):
    if connection.vendor not in EXTENSIONS:
        raise CommandError(f"Backup and restore support PostgreSQL and SQLite, not {connection.vendor}.")
    return connection.vendor


def describe(connection):
    """The database as an operator recognises it: its file, or its name and server."""
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"SQLite database {settings_dict['NAME']}"
    host = settings_dict.get("HOST") or "local socket"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"PostgreSQL database “{settings_dict['NAME']}” on {host}{port}"


def back_up(*, connection, path):
    """Write a consistent copy of the database behind ``connection`` to ``path``.

    Side effects: creates the file (and its folder); writes ``<path>.partial`` first and renames
    it at the end, so a file with the final name is always a complete backup. Refuses to
    overwrite an existing file: an older backup may be the only good one.
    """
    vendor = supported_vendor(connection)
    path = Path(path)
    if path.exists():
        raise CommandError(f"{path} already exists: choose another name, or remove it first.")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    try:
        if vendor == "postgresql":
            _pg_dump(connection, partial)
        else:
            _sqlite_backup(connection, partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path.stat().st_size


def check_restorable(*, connection, path):
    """Refuse, before anything is touched, a file that is missing, of the other engine, not a
    backup at all, unreadable, or (PostgreSQL) one that would leave tables behind."""
    vendor = supported_vendor(connection)
    path = Path(path)
    if not path.is_file():
        raise CommandError(f"{path} does not exist (or is not a file).")
    with path.open("rb") as file:
        header = file.read(len(SQLITE_MAGIC))
    kind = "postgresql" if header.startswith(PG_MAGIC) else "sqlite" if header == SQLITE_MAGIC else None
    if kind is None:
        raise CommandError(
            f"{path} is not a backup made by `manage.py backup`: neither a pg_dump custom-format archive "
            "nor a SQLite database."
        )
    if kind != vendor:
        raise CommandError(
            f"{path} is a {ENGINE_NAMES[kind]} backup, but the current database is the {describe(connection)}. "
            f"Restore it with DATABASE_URL naming a {ENGINE_NAMES[kind]} database."
        )
    if vendor == "postgresql":
        _pg_check_archive(connection, path)
    else:
        _sqlite_check_file(connection, path)


def restore(*, connection, path):
    """Replace everything in the database behind ``connection`` with the backup at ``path``
    (checked with ``check_restorable`` first).

    Side effects: drops and recreates every table the backup holds (PostgreSQL: in one
    transaction, so a failure changes nothing; SQLite: one backup step, rolled back on error);
    closes this process's connection first so its locks cannot block the restore.
    """
    if supported_vendor(connection) == "postgresql":
        _pg_restore(connection, Path(path))
    else:
        _sqlite_restore(connection, Path(path))


# PostgreSQL


def _pg_dump(connection, path):
    pg_dump = _pg_tool(connection, "pg_dump")
    conninfo, env = _pg_conninfo(connection)
    _run([pg_dump, "--format=custom", "--file", str(path), "--dbname", conninfo], env, "pg_dump failed")


def _pg_check_archive(connection, path):
    pg_restore = _pg_tool(connection, "pg_restore")
    listing = _run([pg_restore, "--list", str(path)], None, "pg_restore could not read the archive").stdout
    archived = {name for _schema, name in re.findall(r"^\d+; \d+ \d+ TABLE (\S+) (\S+) ", listing, re.MULTILINE)}
    if "django_migrations" not in archived:
        raise CommandError(
            f"{path} is a PostgreSQL archive but not of a Relations database: it has no django_migrations."
        )
    # --clean drops only what the archive holds: a table created since the backup (a newer
    # migration) would survive beside the restored django_migrations and break the next migrate.
    left_behind = sorted(set(connection.introspection.table_names()) - archived)
    if left_behind:
        tables = ", ".join(f'"{name}"' for name in left_behind)
        raise CommandError(
            f"The database has tables the backup does not: {tables}. A restore would leave them behind. "
            f"Restore into an empty database, or drop them first (manage.py dbshell: DROP TABLE {tables} CASCADE;)."
        )


def _pg_restore(connection, path):
    pg_restore = _pg_tool(connection, "pg_restore")
    conninfo, env = _pg_conninfo(connection)
    connection.close()
    _run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",  # the objects belong to whoever restores, as on a fresh server
            "--single-transaction",  # all or nothing (and stops at the first error)
            "--dbname",
            conninfo,
            str(path),
        ],
        env,
        "pg_restore failed; nothing was changed (one transaction, rolled back)",
    )


def _pg_tool(connection, name):
    """The client program on PATH, refused when older than the server: pg_dump cannot dump a
    newer server, and pg_restore cannot read the archives of a newer pg_dump."""
    connection.ensure_connection()
    server_major = connection.pg_version // 10000
    found = shutil.which(name)
    if not found:
        raise CommandError(
            f"{name} was not found on PATH. Install the PostgreSQL {server_major} client "
            f"(Debian: apt-get install postgresql-client-{server_major}) or add its bin folder to PATH."
        )
    reported = _run([found, "--version"], None, f"{found} --version").stdout.strip()
    match = re.search(r"\)\s*(\d+)", reported)  # "pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)"
    if not match or int(match.group(1)) < server_major:
        raise CommandError(
            f"{found} reports “{reported}”, older than the PostgreSQL {server_major} server. "
            f"Install postgresql-client-{server_major} (or newer) or put its bin folder first on PATH."
        )
    return found


def _pg_conninfo(connection):
    """A libpq connection string for the command line; the password goes in the environment,
    where other users' `ps` cannot read it."""
    settings_dict = connection.settings_dict
    options = settings_dict["OPTIONS"]
    params = {
        "dbname": settings_dict["NAME"],
        "host": settings_dict.get("HOST"),
        "port": settings_dict.get("PORT"),
        "user": settings_dict.get("USER"),
        **{key: options.get(key) for key in ("service", "sslmode", "sslrootcert", "sslcert", "sslkey", "passfile")},
    }
    _args, env = DatabaseClient.settings_to_cmd_args_env(settings_dict, [])
    return make_conninfo(**{key: str(value) for key, value in params.items() if value}), env


def _run(args, env, failure):
    result = subprocess.run(args, env={**os.environ, **(env or {})}, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise CommandError(f"{failure}:\n{result.stderr.strip()}")
    return result


# SQLite


def _sqlite_backup(connection, path):
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        # One step (pages=-1): a snapshot as of one moment, even while others write.
        connection.connection.backup(target)
        # A self-contained file: no -wal beside it, readable without write access.
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()


def _sqlite_open_read_only(path):
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _sqlite_check_file(connection, path):
    name = connection.settings_dict["NAME"]
    if not connection.is_in_memory_db() and Path(name).resolve() == path.resolve():
        raise CommandError(f"{path} is the current database itself, not a backup of it.")
    # The header states the database's size (when its change counter matches "version valid
    # for"); a shorter file was cut off in copying, even if what is left still reads.
    with path.open("rb") as file:
        header = file.read(100)
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if header[24:28] == header[92:96]:
        expected = page_size * int.from_bytes(header[28:32], "big")
        if path.stat().st_size < expected:
            raise CommandError(
                f"{path} is damaged: {path.stat().st_size:,} bytes where its header promises {expected:,}."
            )
    try:
        source = _sqlite_open_read_only(path)
        try:
            check = source.execute("PRAGMA quick_check").fetchone()[0]
            has_migrations = source.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
            ).fetchone()
        finally:
            source.close()
    except sqlite3.Error as error:
        raise CommandError(f"{path} could not be read as a SQLite database: {error}") from error
    if check != "ok":
        raise CommandError(f"{path} is damaged (SQLite quick_check: {check}).")
    if not has_migrations:
        raise CommandError(f"{path} is a SQLite database but not of a Relations database: it has no django_migrations.")


def _sqlite_restore(connection, path):
    connection.ensure_connection()
    source = _sqlite_open_read_only(path)
    try:
        # One step replaces every page under a write lock, or none if it fails.
        source.backup(connection.connection)
    except sqlite3.Error as error:
        raise CommandError(f"SQLite could not restore {path}; nothing was changed: {error}") from error
    finally:
        source.close()
