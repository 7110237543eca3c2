"""`make loadtest`: the site under load, with editors writing, and through a PostgreSQL restart.

Builds (or reuses) the PostgreSQL database LOADTEST_DB (default ``relations_loadtest``, 20,000
generated events) with two Editor accounts and their API tokens, then runs twice:

- **normal**: gunicorn (2 workers, public cache in Redis, throttling off) under wrk with 64
  connections for LOADTEST_DURATION seconds (60) over public pages and API reads, while two
  editors' scripts create events and quotes and edit them through the API (If-Match, ETag),
  and a publisher's script corrects a published event every LOADTEST_PUBLISH_PAUSE seconds (5),
  which empties the public cache each time.
- **fault**: the same, and in the middle PostgreSQL is stopped for LOADTEST_DOWN seconds (5)
  and started again.

The *down window* runs from the moment the stop is issued to the moment ``pg_isready`` answers
again, plus a grace of GRACE seconds for requests already queued; any 5xx outside it counts as
a failure. wrk counts statuses per second of the clock, so a second counts as inside the window
when it overlaps it.

Every write the API acknowledged (201, or 200 with an ETag) is then checked in the database:
its version is in the entry's history with the content and change reason sent, and the entry
holds the last acknowledged version (or a later one that an unacknowledged attempt wrote).
Entries created by the run are checked for being whole: both participants and the citation of
an event, a history record of each creation. Prints a table and writes bench/loadtest-latest.md.
"""

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from http.client import HTTPConnection
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import PG, PYTHON, ensure_database, log, serve, stop  # noqa: E402

DB = os.environ.get("LOADTEST_DB", "relations_loadtest")
EVENTS = int(os.environ.get("LOADTEST_EVENTS", "20000"))
DURATION = int(os.environ.get("LOADTEST_DURATION", "60"))
CONNECTIONS = int(os.environ.get("LOADTEST_CONNECTIONS", "64"))
DOWN_SECONDS = float(os.environ.get("LOADTEST_DOWN", "5"))
RUNS = os.environ.get("LOADTEST_RUNS", "normal,fault").split(",")
EDITOR_PAUSE = float(os.environ.get("LOADTEST_EDITOR_PAUSE", "0.5"))  # seconds between an editor's writes
GRACE = 2.0
PORT = 8111
EDITORS = ("loadtest-editor-1", "loadtest-editor-2")
PUBLISHER = "loadtest-publisher"
# A correction to a published event every so often: a write the public sees, which empties the
# whole public cache. Editors' drafts leave the cache alone, so without it every read would be
# a hit after the first.
PUBLISH_PAUSE = float(os.environ.get("LOADTEST_PUBLISH_PAUSE", "5"))
SERVER_ENV = {
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
    "CACHE_URL": "redis://127.0.0.1:6379/4",
    "PUBLIC_CACHE": "1",
    "API_THROTTLE": "0",
    "SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback, no TLS proxy in front
}
BUILD_ENV = {**os.environ, "DEBUG": "0", "SECRET_KEY": "loadtest-only-secret-key-0123456789-abcdefghijklmnop",
             "ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "ERROR", **SERVER_ENV}  # fmt: skip
PG_VERSION = os.environ.get("PG_VERSION") or sorted(os.listdir("/etc/postgresql"))[-1]


# The database and what the requests need ----------------------------------------------------


def editor_tokens():
    """Two members of the Editor group (create and edit drafts) and one of the Publisher group
    (edits published entries), with API tokens."""
    accounts = [(name, "Editor") for name in EDITORS] + [(PUBLISHER, "Publisher")]
    code = (
        "import json\n"
        "from django.contrib.auth.models import Group, User\n"
        "from rest_framework.authtoken.models import Token\n"
        "tokens = {}\n"
        f"for name, group in {accounts!r}:\n"
        "    user, _ = User.objects.get_or_create(username=name)\n"
        "    user.groups.add(Group.objects.get(name=group))\n"
        "    tokens[name] = Token.objects.get_or_create(user=user)[0].key\n"
        "print(json.dumps(tokens))\n"
    )
    out = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", code], cwd=ROOT, env=BUILD_ENV, check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def probes():
    """Published slugs and ids to read and to refer to in writes, chosen the same way each run."""
    with psycopg.connect(f"{PG}/{DB}") as conn:

        def column(sql):
            return [row[0] for row in conn.execute(sql).fetchall()]

        return {
            # Published and visible: published() also wants a published source (events, quotes)
            # and a published speaker (quotes).
            "events": column(
                """SELECT e.slug FROM events_event e WHERE e.status = 'published' AND EXISTS (
                     SELECT 1 FROM events_citation c JOIN events_source s ON s.id = c.source_id
                     WHERE c.event_id = e.id AND s.status = 'published') ORDER BY e.id LIMIT 60"""
            ),
            "actors": column("SELECT slug FROM actors_actor WHERE status = 'published' ORDER BY id LIMIT 40"),
            "speakers": column(
                """SELECT a.slug FROM events_quote q JOIN actors_actor a ON a.id = q.speaker_id
                   WHERE a.status = 'published' GROUP BY a.slug ORDER BY count(*) DESC LIMIT 10"""
            ),
            "sources": column("SELECT id FROM events_source WHERE status = 'published' ORDER BY id LIMIT 40"),
            "quotes": column(
                """SELECT q.id FROM events_quote q JOIN actors_actor a ON a.id = q.speaker_id
                   JOIN events_source s ON s.id = q.source_id WHERE q.status = 'published'
                   AND a.status = 'published' AND s.status = 'published' ORDER BY q.id LIMIT 20"""
            ),
        }


def read_paths(p):
    """Public pages and API reads, in a fixed shuffled order: lists, filters, searches, details."""
    words = ["sanctions", "summit", "treaty", "pipeline", "ceasefire", "election", "drone", "grain"]
    paths = ["/", "/events/", "/events/?page=2", "/events/?country=RU", "/events/?type=04",
             "/events/?date_from=2015&date_to=2016", "/actors/", "/quotes/", "/sources/", "/feeds/events/",
             "/api/events/?page_size=30", "/api/events/?type=04&country=RU&date_from=2010",
             "/api/actors/", "/api/quotes/", "/api/sources/", "/api/event-types/",
             "/api/events/?format=csv&date_from=2024-09"]  # fmt: skip
    paths += [f"/search/?q={w}" for w in words] + [f"/events/?q={w}" for w in words]
    paths += [f"/api/events/?q={w}&ordering=-date" for w in words]
    paths += [f"/events/{slug}/" for slug in p["events"][:30]] + [f"/api/events/{s}/" for s in p["events"][30:]]
    paths += [f"/actors/{slug}/" for slug in p["actors"][:10]] + [f"/api/actors/{s}/" for s in p["actors"][10:20]]
    paths += [f"/api/events/?actor={slug}&page_size=50" for slug in p["actors"][20:30]]
    paths += [f"/quotes/?speaker={s}" for s in p["speakers"][:5]] + [f"/api/quotes/?speaker={s}" for s in p["speakers"]]
    paths += [f"/quotes/{n}/" for n in p["quotes"][:10]] + [f"/api/quotes/{n}/" for n in p["quotes"][10:]]
    paths += [f"/sources/{n}/" for n in p["sources"][:10]]
    # Traffic is skewed: the home page and the first pages of the lists take a large share.
    paths += 10 * ["/", "/events/", "/api/events/?page_size=30", "/actors/", "/quotes/", "/api/events/"]
    random.Random(2022).shuffle(paths)
    return paths


# Reads: wrk with a Lua script counting statuses per second -----------------------------------

WRK_SCRIPT = """
local paths = {%(paths)s}
local threads, count = {}, 0
function setup(thread)
  count = count + 1
  thread:set("offset", count * 37)
  table.insert(threads, thread)
end
function init(args) i = offset; buckets = {}; hits = 0 end
function request()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
function response(status, headers, body)
  local key = os.time() .. " " .. status
  buckets[key] = (buckets[key] or 0) + 1
  if headers["X-Cache"] == "hit" then hits = hits + 1 end
end
function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    for key, n in pairs(thread:get("buckets")) do io.write("BUCKET ", key, " ", n, "\\n") end
    io.write("HITS ", thread:get("hits"), "\\n")
  end
  io.write(string.format("LATENCY %%d %%d\\n", latency:percentile(50), latency:percentile(99)))
  local e = summary.errors
  io.write(string.format("SUMMARY %%d %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    e.connect, e.read, e.write, e.timeout))
end
"""


def run_wrk(paths, seconds, result):
    script = WRK_SCRIPT % {"paths": ", ".join(json.dumps(path) for path in paths)}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        out = subprocess.run(
            ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s", "-s", f.name,
             f"http://127.0.0.1:{PORT}"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    finally:
        os.unlink(f.name)
    buckets = Counter()
    result["hits"] = 0
    for line in out.splitlines():
        parts = line.split()
        if parts[:1] == ["BUCKET"]:
            buckets[(int(parts[1]), int(parts[2]))] += int(parts[3])
        elif parts[:1] == ["HITS"]:
            result["hits"] += int(parts[1])
        elif parts[:1] == ["LATENCY"]:
            result["p50"], result["p99"] = int(parts[1]) / 1000, int(parts[2]) / 1000
        elif parts[:1] == ["SUMMARY"]:
            requests, duration, connect, read, write, timeout = map(int, parts[1:])
            result.update(requests=requests, seconds=duration / 1e6, socket_errors=connect + read + write,
                          timeouts=timeout)  # fmt: skip
    result["buckets"] = buckets


# Writes: two editors through the API -----------------------------------------------------------


class Editor(threading.Thread):
    """Creates events and quotes and edits its own entries until ``until``, and logs every write:
    ``acked`` (201, or 200 with its ETag) and ``unacked`` (any other answer, or none)."""

    def __init__(self, name, token, p, run, until):
        super().__init__(name=name)
        self.token, self.p, self.run_id, self.until = token, p, run, until
        self.random = random.Random(name)
        self.entries = []  # [kind, key, version or None when unknown]
        self.acked, self.unacked, self.responses = [], [], []  # responses: (time, status or None, seconds)

    def request(self, method, path, body=None, if_match=None, reason=None):
        headers = {"Authorization": f"Token {self.token}", "Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if if_match is not None:
            headers["If-Match"] = f'"{if_match}"'
        if reason:
            headers["X-Change-Reason"] = reason
        started = time.time()
        try:
            conn = HTTPConnection("127.0.0.1", PORT, timeout=30)
            conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
            response = conn.getresponse()
            status, etag, data = response.status, response.getheader("ETag"), response.read()
            conn.close()
        except OSError:
            status, etag, data = None, None, b""
        self.responses.append((time.time(), status, time.time() - started, method))
        try:
            payload = json.loads(data) if data else None
        except ValueError:
            payload = None
        return status, etag, payload

    def run(self):
        n = 0
        while time.time() < self.until:
            n += 1
            if n % 3 == 1 or not self.entries:
                self.create(n)
            else:
                self.edit(self.random.choice(self.entries), n)
            time.sleep(EDITOR_PAUSE)

    def create(self, n):
        reason = f"load test {self.name} #{n}"
        if n % 2:
            slug = f"lt-{self.run_id}-{self.name[-1]}-{n}"
            actors = self.random.sample(self.p["actors"], 2)
            body = {"title": f"Load test event {n} by {self.name}", "slug": slug, "type": "04",
                    "start_date": "2024-05-01", "summary": f"Written by {self.name} during run {self.run_id}.",
                    "participants": [{"actor": actors[0], "role": "initiator"}, {"actor": actors[1], "role": "target"}],
                    "sources": [{"source": self.random.choice(self.p["sources"])}]}  # fmt: skip
            status, _, payload = self.request("POST", "/api/events/", body, reason=reason)
            write = {"kind": "event", "key": slug, "version": 1, "fields": {"title": body["title"]},
                     "reason": reason, "create": body}  # fmt: skip
        else:
            text = f"Load test quote {n} by {self.name} in run {self.run_id}."
            body = {"text": text, "speaker": self.random.choice(self.p["actors"]),
                    "source": self.random.choice(self.p["sources"]), "said_on": "2024-05-01"}  # fmt: skip
            status, _, payload = self.request("POST", "/api/quotes/", body, reason=reason)
            key = payload.get("id") if status == 201 and payload else None
            write = {"kind": "quote", "key": key, "version": 1, "fields": {"text": text}, "reason": reason,
                     "create": body}  # fmt: skip
        write["status"] = status
        if status == 201 and write["key"] is not None:
            self.acked.append(write)
            self.entries.append([write["kind"], write["key"], 1])
        else:
            self.unacked.append(write)

    def edit(self, entry, n):
        kind, key, version = entry
        path = f"/api/events/{key}/" if kind == "event" else f"/api/quotes/{key}/"
        if version is None:  # the last write was not acknowledged: read what is stored first
            status, etag, _ = self.request("GET", path)
            if status != 200 or not etag:
                return
            entry[2] = version = int(etag.strip('"'))
        field = "title" if kind == "event" else "text"
        value = f"Load test {kind} by {self.name}, edit {n} in run {self.run_id}."
        reason = f"load test {self.name} edit #{n}"
        status, etag, _ = self.request("PATCH", path, {field: value}, if_match=version, reason=reason)
        write = {"kind": kind, "key": key, "version": version + 1, "fields": {field: value}, "reason": reason,
                 "status": status}  # fmt: skip
        if status == 200 and etag:
            write["version"] = entry[2] = int(etag.strip('"'))
            self.acked.append(write)
        else:
            entry[2] = None
            self.unacked.append(write)


class Publisher(Editor):
    """Corrects the title of a published event every PUBLISH_PAUSE seconds (GET for the ETag,
    then PATCH with If-Match), logged and verified like the editors' writes."""

    def run(self):
        entries = [["event", slug, None] for slug in self.p["events"][:10]]
        n = 0
        while time.time() < self.until:
            n += 1
            entry = self.random.choice(entries)
            entry[2] = None  # read the current version first
            self.edit(entry, n)
            time.sleep(PUBLISH_PAUSE)


# PostgreSQL down and back ---------------------------------------------------------------------


def pg_ctl(action, check=True):
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, "main", action], check=check, capture_output=True
    )


def pg_ready():
    return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"]).returncode == 0


def outage(at, window):
    time.sleep(max(0.0, at - time.time()))
    window["stop"] = time.time()
    log(f"  stopping PostgreSQL {PG_VERSION}/main for {DOWN_SECONDS:g} s …")
    try:
        pg_ctl("stop")
        window["stopped"] = time.time()
        time.sleep(DOWN_SECONDS)
    finally:
        window["start"] = time.time()
        pg_ctl("start", check=False)
    deadline = time.time() + 120
    while not pg_ready():
        if time.time() > deadline:
            raise RuntimeError("PostgreSQL did not come back within 2 minutes")
        time.sleep(0.05)
    window["ready"] = time.time()
    log(f"  PostgreSQL ready again after {window['ready'] - window['stop']:.1f} s")


# Verification ------------------------------------------------------------------------------------


def verify(run_id, acked, unacked):
    """Lost acknowledged writes, entries stored in part, and unacknowledged writes that landed."""
    tables = {"event": ("events_event", "events_historicalevent", "slug", "title"),
              "quote": ("events_quote", "events_historicalquote", "id", "text")}  # fmt: skip
    lost, landed, partial = [], 0, []
    with psycopg.connect(f"{PG}/{DB}") as conn:
        # 1. Every acknowledged write is in the history, with the content and reason sent.
        for w in acked:
            table, history, key, _ = tables[w["kind"]]
            (field, value), = w["fields"].items()  # fmt: skip
            row = conn.execute(
                f"SELECT {field}, history_change_reason FROM {history} WHERE {key} = %s AND version = %s "
                "ORDER BY history_id DESC LIMIT 1",
                (w["key"], w["version"]),
            ).fetchone()
            if row != (value, w["reason"]):
                lost.append((w, "history", row))
        # 2. Each entry holds its last acknowledged version, or a later unacknowledged one.
        last = {}
        for w in acked:
            last[(w["kind"], w["key"])] = w
        attempts = {(w["kind"], w["key"], w["version"]): w for w in unacked if w["key"] is not None}
        for (kind, entry_key), w in last.items():
            table, _, key, _ = tables[kind]
            (field, value), = w["fields"].items()  # fmt: skip
            row = conn.execute(f"SELECT version, {field} FROM {table} WHERE {key} = %s", (entry_key,)).fetchone()
            if row is None or row[0] < w["version"] or (row[0] == w["version"] and row[1] != value):
                lost.append((w, "current", row))
            elif row[0] > w["version"]:
                later = attempts.get((kind, entry_key, row[0]))
                if later is None or later["fields"][field] != row[1]:
                    lost.append((w, "overwritten by an unknown write", row))
                else:
                    landed += 1
        # 3. Whole entries: every event of the run has its two participants and its citation,
        # every entry of the run its creation in the history; unacknowledged creates that landed.
        for slug, participants, citations, created in conn.execute(
            """SELECT e.slug,
                      (SELECT count(*) FROM events_participation p WHERE p.event_id = e.id),
                      (SELECT count(*) FROM events_citation c WHERE c.event_id = e.id),
                      (SELECT count(*) FROM events_historicalevent h WHERE h.id = e.id AND h.history_type = '+')
               FROM events_event e WHERE e.slug LIKE %s""",
            (f"lt-{run_id}-%",),
        ).fetchall():
            if (participants, citations, created) != (2, 1, 1):
                partial.append((slug, participants, citations, created))
        for (quote_id,) in conn.execute(
            """SELECT q.id FROM events_quote q WHERE q.text LIKE %s AND NOT EXISTS
               (SELECT 1 FROM events_historicalquote h WHERE h.id = q.id AND h.history_type = '+')""",
            (f"% in run {run_id}.",),
        ).fetchall():
            partial.append(("quote", quote_id))
        for w in unacked:
            if "create" in w and w["kind"] == "event":
                landed += bool(conn.execute("SELECT 1 FROM events_event WHERE slug = %s", (w["key"],)).fetchone())
            elif "create" in w:
                landed += bool(
                    conn.execute("SELECT 1 FROM events_quote WHERE text = %s", (w["fields"]["text"],)).fetchone()
                )
    return lost, partial, landed


# One run ------------------------------------------------------------------------------------------


def overlaps(second, window):
    return window and second + 1 > window["stop"] and second < window["ready"] + GRACE


def one_run(name, paths, tokens, p, server_log):
    run_id = f"{int(time.time())}{name[0]}"
    subprocess.run(["redis-cli", "-n", "4", "FLUSHDB"], capture_output=True, check=True)
    server = serve("relations_site.wsgi:application", PORT, {**BUILD_ENV}, workers=2, output=server_log)
    window, reads = {}, {}
    try:
        for path in paths[:5]:  # workers up, connections open
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=60).read()
        log(
            f"{name}: wrk -c{CONNECTIONS} for {DURATION} s over {len(paths)} reads, two editors and a publisher writing …"
        )
        started = time.time()
        until = started + DURATION
        editors = [Editor(editor, tokens[editor], p, run_id, until) for editor in EDITORS]
        editors.append(Publisher(PUBLISHER, tokens[PUBLISHER], p, run_id, until))
        threads = [threading.Thread(target=run_wrk, args=(paths, DURATION, reads)), *editors]
        if name == "fault":
            threads.append(threading.Thread(target=outage, args=(started + DURATION / 2, window)))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        stop(server)
        if not pg_ready():  # never leave the machine without its database
            pg_ctl("start", check=False)
    acked = [w for e in editors for w in e.acked]
    unacked = [w for e in editors for w in e.unacked]
    writes = [r for e in editors for r in e.responses]
    lost, partial, landed = verify(run_id, acked, unacked)

    read_status = Counter()
    for (_, status), n in reads["buckets"].items():
        read_status[status] += n
    write_status = Counter(status for _, status, _, method in writes if method != "GET")
    outside = sum(n for (sec, status), n in reads["buckets"].items() if status >= 500 and not overlaps(sec, window))
    outside += sum(
        1
        for t, status, _, _ in writes
        if (status is None or status >= 500) and not (window and window["stop"] <= t <= window["ready"] + GRACE)
    )
    fives = sorted(
        [sec for (sec, status), n in reads["buckets"].items() if status >= 500]
        + [int(t) for t, status, _, _ in writes if status is None or status >= 500]
    )
    timeline = Counter()
    for (sec, status), n in reads["buckets"].items():
        timeline[(sec, "5xx" if status >= 500 else "ok")] += n
    for t, status, _, method in writes:
        if method != "GET":
            timeline[(int(t), "write ok" if status in (200, 201) else "write failed")] += 1
    write_ms = sorted(seconds * 1000 for _, status, seconds, method in writes if method != "GET")
    return {
        "name": name,
        "started": started,
        "reads": reads,
        "read_status": read_status,
        "write_status": write_status,
        "writes": len(write_ms),
        "write_p50": statistics.median(write_ms) if write_ms else 0,
        "write_p99": write_ms[int(len(write_ms) * 0.99)] if write_ms else 0,
        "acked": len(acked),
        "lost": lost,
        "partial": partial,
        "landed": landed,
        "window": window,
        "outside": outside,
        "fives": fives,
        "timeline": timeline,
    }


def statuses(counter):
    return ", ".join(
        f"{'none' if s is None else s}: {n:,}" for s, n in sorted(counter.items(), key=lambda i: str(i[0]))
    )


def report(results):
    lines = [
        "| run | read requests | read req/s | read p50 / p99 ms | cache hits | read statuses | socket errors / timeouts "
        "| writes | write p50 / p99 ms | write statuses | acknowledged writes | lost | stored in part "
        "| unacknowledged but stored | 5xx | 5xx outside the down window |",
        "|" + "---|" * 16,
    ]
    for r in results:
        reads = r["reads"]
        fives = sum(n for s, n in r["read_status"].items() if s >= 500) + sum(
            n for s, n in r["write_status"].items() if s is None or s >= 500
        )
        lines.append(
            f"| {r['name']} | {reads['requests']:,} | {reads['requests'] / reads['seconds']:,.0f} | "
            f"{reads['p50']:.1f} / {reads['p99']:.1f} | {reads['hits'] / max(reads['requests'], 1):.0%} | "
            f"{statuses(r['read_status'])} | "
            f"{reads['socket_errors']} / {reads['timeouts']} | {r['writes']:,} | "
            f"{r['write_p50']:.0f} / {r['write_p99']:.0f} | {statuses(r['write_status'])} | {r['acked']:,} | "
            f"{len(r['lost'])} | {len(r['partial'])} | {r['landed']} | {fives:,} | {r['outside']} |"
        )
    notes = []
    for r in results:
        w, zero = r["window"], int(r["started"])  # seconds counted as in the timeline below
        if w:
            span = f"seconds {r['fives'][0] - zero} to {r['fives'][-1] - zero}" if r["fives"] else "no second"
            notes.append(
                f"- {r['name']}: stop issued at {w['stop'] - zero:.1f} s; stopped at {w['stopped'] - zero:.1f} s; "
                f"start issued at {w['start'] - zero:.1f} s; pg_isready at {w['ready'] - zero:.1f} s; the down "
                f"window ({GRACE:g} s grace) is {w['stop'] - zero:.1f}–{w['ready'] + GRACE - zero:.1f} s. "
                f"5xx in {span}."
            )
        for w, where, row in r["lost"][:10]:
            notes.append(f"- {r['name']}: LOST {w['kind']} {w['key']} v{w['version']} ({where}): stored {row!r}")
        for item in r["partial"][:10]:
            notes.append(f"- {r['name']}: STORED IN PART {item!r}")
    fault = next((r for r in results if r["window"]), None)
    timeline = []
    if fault:
        timeline = ["", "Fault run, per second of the clock from the start of the run:", ""]
        timeline += [
            "| s | reads 2xx-4xx | reads 5xx | writes acknowledged | writes not acknowledged | in down window |",
            "|---|---|---|---|---|---|",
        ]
        first = int(fault["started"])
        for sec in range(first, first + DURATION + 1):
            ok, bad = fault["timeline"][(sec, "ok")], fault["timeline"][(sec, "5xx")]
            written, failed = fault["timeline"][(sec, "write ok")], fault["timeline"][(sec, "write failed")]
            if ok or bad or written or failed:
                mark = "yes" if overlaps(sec, fault["window"]) else ""
                timeline.append(f"| {sec - first} | {ok:,} | {bad:,} | {written} | {failed} | {mark} |")
    return "\n".join(lines), "\n".join(notes), "\n".join(timeline)


def main():
    ensure_database(DB, EVENTS, BUILD_ENV)
    tokens = editor_tokens()
    p = probes()
    paths = read_paths(p)
    results = []
    with open(ROOT / "bench" / "loadtest-gunicorn.log", "w") as server_log:
        for name in RUNS:
            results.append(one_run(name, paths, tokens, p, server_log))
    table, notes, timeline = report(results)
    header = (
        f"Load test: {EVENTS:,} events in `{DB}`; gunicorn 2 workers, public cache in Redis, throttling off; "
        f"wrk -t2 -c{CONNECTIONS} for {DURATION} s over {len(paths)} public reads; two editors writing drafts "
        f"through the API and a publisher correcting a published event every {PUBLISH_PAUSE:g} s; fault run: PostgreSQL stopped for {DOWN_SECONDS:g} s in the middle."
    )
    print(f"\n{header}\n\n{table}\n\n{notes}\n")
    (ROOT / "bench" / "loadtest-latest.md").write_text(f"{header}\n\n{table}\n\n{notes}\n{timeline}\n")
    if any(r["lost"] or r["partial"] or r["outside"] for r in results):
        sys.exit("Load test FAILED: see the table.")


if __name__ == "__main__":
    main()
