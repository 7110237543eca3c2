"""The database down or too slow: a clear 503 or 400 in bounded time, never a 500, and the site
back by itself (relations_site/middleware.py, DatabaseMiddleware)."""

import io
import json
import socket
import sys
import threading
import time
from contextlib import contextmanager

import psycopg
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import OperationalError, connection
from django.test import RequestFactory

from relations_site.middleware import statement_timeout_for
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="statement timeouts and a server to lose are PostgreSQL's"
)
SLOW = "needed more than 0.2 seconds of database time and was stopped"
DOWN = "The database is unavailable for a moment"


def refuse_connections(*args, **kwargs):
    raise OperationalError('connection failed: connection to server at "127.0.0.1", port 5432 failed: refused')


@pytest.mark.parametrize(
    ("url", "content_type"), [("/events/", "text/html; charset=utf-8"), ("/api/events/", "application/json")]
)
def test_database_down_is_a_503_with_retry_after_then_back_is_200(client, settings, monkeypatch, url, content_type):
    settings.PUBLIC_CACHE = False
    EventFactory(title="Summit in Astana")
    # Every query, and the middleware's own statement, start by ensuring a connection.
    monkeypatch.setattr(connection, "ensure_connection", refuse_connections)
    response = client.get(url)
    assert (response.status_code, response["Content-Type"], response["Retry-After"]) == (503, content_type, "5")
    assert DOWN in response.content.decode()
    assert "Traceback" not in response.content.decode()
    monkeypatch.undo()
    response = client.get(url)
    assert response.status_code == 200
    assert "Summit in Astana" in response.content.decode()


def test_statement_timeout_applies_to_public_reads_only(settings):
    settings.DB_STATEMENT_TIMEOUT_MS = 5000
    factory = RequestFactory()
    requests = [
        factory.get("/events/?q=sanctions"),
        factory.head("/api/events/"),
        factory.get("/admin/events/event/"),
        factory.post("/api/events/"),
        factory.patch("/api/events/e/"),
        factory.delete("/api/quotes/1/"),
    ]
    assert [statement_timeout_for(r) for r in requests] == [5000, 5000, None, None, None, None]
    settings.DB_STATEMENT_TIMEOUT_MS = 0
    assert statement_timeout_for(factory.get("/events/")) is None


# PostgreSQL: the real timeout, a real outage ------------------------------------------------


def dsn():
    s = connection.settings_dict
    return psycopg.conninfo.make_conninfo(
        dbname=s["NAME"], user=s["USER"], password=s["PASSWORD"] or None, host=s["HOST"], port=s["PORT"] or None
    )


@contextmanager
def table_locked(table, release_after):
    """Another session holds ``table`` exclusively, so any statement touching it waits: a query
    that takes as long as we like. Released after ``release_after`` seconds or on leaving."""
    locked, release = threading.Event(), threading.Event()

    def hold():
        with psycopg.connect(dsn()) as other:
            other.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
            locked.set()
            release.wait(release_after)
            other.rollback()

    thread = threading.Thread(target=hold)
    thread.start()
    assert locked.wait(10)
    try:
        yield
    finally:
        release.set()
        thread.join()


@on_postgresql
@pytest.mark.parametrize(
    ("url", "content_type"),
    [
        ("/api/events/?q=sanctions", "application/json"),
        ("/api/events/?format=csv&q=sanctions", "application/json"),
        ("/search/?q=sanctions", "text/html; charset=utf-8"),
        ("/events/?q=sanctions", "text/html; charset=utf-8"),
    ],
)
def test_a_read_slower_than_the_limit_is_stopped_with_a_400_saying_to_narrow_it(client, settings, url, content_type):
    settings.DB_STATEMENT_TIMEOUT_MS = 200
    settings.DB_EXPORT_STATEMENT_TIMEOUT_MS = 200
    # Public lists read the read model (events_publicevent).
    with table_locked("events_publicevent", release_after=5):
        started = time.monotonic()
        response = client.get(url)
        elapsed = time.monotonic() - started
    assert (response.status_code, response["Content-Type"]) == (400, content_type)
    assert not response.streaming
    assert SLOW in response.content.decode()
    assert elapsed < 2, "stopped by the limit, not by the lock's release"


@on_postgresql
def test_writes_wait_as_long_as_they_need(client, settings):
    from tests.api.conftest import member_of, token_client

    settings.DB_STATEMENT_TIMEOUT_MS = 200
    editor_api = token_client(member_of("Editor", "editor-tool"))
    assert client.get("/api/event-types/").status_code == 200  # the session now has the public limit
    with table_locked("events_event", release_after=1):
        started = time.monotonic()
        response = editor_api.post(
            "/api/events/",
            {"title": "Talks", "slug": "talks", "type": "04", "start_date": "2022-01-27"},
            format="json",
        )
        elapsed = time.monotonic() - started
    assert response.status_code == 201, response.content
    assert elapsed >= 1
    assert editor_api.get("/api/events/talks/").json()["title"] == "Talks"


class Wsgi:
    """Requests the way gunicorn makes them: Django's WSGI handler with its request_started and
    request_finished signals, which close broken and expired connections (the test client
    switches that off)."""

    def __init__(self):
        self.app = WSGIHandler()

    def get(self, path, query=""):
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "testserver",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
        }
        started = {}
        result = self.app(environ, lambda status, headers, exc_info=None: started.update(status=status, h=headers))
        return started, result


@pytest.fixture
def wsgi():
    yield Wsgi()
    # The session keeps the last request's limit, as it would in a worker; the flush that
    # empties the tables after a transactional test is not a public read.
    if connection.connection is not None:
        connection.connection.execute("RESET statement_timeout")


def read(started, result):
    try:
        body = b"".join(result).decode()
    finally:
        result.close()
    return int(started["status"][:3]), dict(started["h"]), body


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_site_survives_the_database_going_away_and_coming_back(settings, wsgi):
    settings.PUBLIC_CACHE = False
    assert read(*wsgi.get("/api/events/"))[0] == 200
    # The server drops our persistent connection (a restart does that to every session): the
    # next request finds it broken before using it, and reconnects. No error at all.
    before = connection.connection.info.backend_pid
    with psycopg.connect(dsn(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (before,))
    assert read(*wsgi.get("/api/events/"))[0] == 200
    assert connection.connection.info.backend_pid != before
    # Down: nothing listens where the database was. A 503 at once, for pages and the API.
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = closed_port()
    try:
        started = time.monotonic()
        status, headers, body = read(*wsgi.get("/api/events/"))
        assert (status, headers["Retry-After"]) == (503, "5")
        assert DOWN in body
        status, headers, body = read(*wsgi.get("/events/", "q=summit"))
        assert (status, headers["Content-Type"]) == (503, "text/html; charset=utf-8")
        assert DOWN in body and "<h1>Unavailable for a moment</h1>" in body
        assert time.monotonic() - started < 2
    finally:
        connection.settings_dict["PORT"] = port
    # Back: the next request simply connects again.
    assert read(*wsgi.get("/api/events/"))[0] == 200


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_cached_page_is_served_while_the_database_is_down(settings, wsgi):
    assert read(*wsgi.get("/api/event-types/"))[0] == 200
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = closed_port()
    try:
        status, headers, _ = read(*wsgi.get("/api/event-types/"))
        assert (status, headers["X-Cache"]) == (200, "hit")
        assert read(*wsgi.get("/api/actors/"))[0] == 503
    finally:
        connection.settings_dict["PORT"] = port


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_an_ndjson_export_reads_chunk_by_chunk_under_the_limit(settings, monkeypatch, wsgi, event_types):
    # Outside a transaction Django would declare the cursor WITH HOLD, and PostgreSQL would run
    # the whole export query at once, where statement_timeout does not reach.
    settings.PUBLIC_CACHE = False
    settings.DB_STATEMENT_TIMEOUT_MS = 200
    settings.DB_EXPORT_STATEMENT_TIMEOUT_MS = 300
    monkeypatch.setattr("api.exports.EXPORT_CHUNK", 1)
    monkeypatch.setattr("api.exports.EXPORT_BLOCK", 1)  # one row per write, to stop between rows
    for n in range(3):
        EventFactory(slug=f"event-{n}")
    started, result = wsgi.get("/api/events/", "format=ndjson")
    chunks = iter(result)
    lines = [next(chunks).decode(), next(chunks).decode()]  # the metadata, then the first row: the cursor is open
    with connection.connection.cursor() as cursor:
        assert cursor.execute("SELECT is_holdable FROM pg_cursors").fetchall() == [(False,)]
        assert cursor.execute("SHOW statement_timeout").fetchone() == ("300ms",)  # the export's own
    lines += [chunk.decode() for chunk in chunks]
    result.close()
    assert started["status"] == "200 OK"
    assert [json.loads(line).get("slug") for line in lines] == [None, "event-2", "event-1", "event-0"]
    assert connection.get_autocommit(), "the export's transaction ended with the response"


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_csv_export_runs_under_the_exports_own_limit_not_the_reads(settings, wsgi, event_types):
    # One COPY statement: it may take longer than a public read's limit (200 ms here), up to
    # the export's (3 s); the read limit would have stopped it while the table was locked.
    settings.PUBLIC_CACHE = False
    settings.DB_STATEMENT_TIMEOUT_MS = 200
    settings.DB_EXPORT_STATEMENT_TIMEOUT_MS = 3000
    for n in range(3):
        EventFactory(slug=f"event-{n}")
    with table_locked("events_event", release_after=0.6):
        started, result = wsgi.get("/api/events/", "format=csv")
        lines = b"".join(result).decode().splitlines()
        result.close()
    assert started["status"] == "200 OK"
    assert [line.split(",")[0] for line in lines] == ["slug", "event-2", "event-1", "event-0"]
    assert connection.get_autocommit(), "the export's transaction ended with the response"
