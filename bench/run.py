"""`make bench`: the project against a bare WSGI baseline on the same PostgreSQL database.

Builds (or reuses) a benchmark database of BENCH_EVENTS events, serves the project with
gunicorn (2 workers) and the baseline (bench/baseline.py, 2 workers), drives both with wrk
(8 connections) over the same reads, and prints a table. Then measures the CSV export: rows per
second and the peak memory of the serving process for 10,000 and 100,000 rows; the public
writes (bench/writes.py); and the mixed workload (bench/mixed.py).
"""

import base64
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # bench.mixed, when run as a script
PYTHON = sys.executable
EVENTS = int(os.environ.get("BENCH_EVENTS", "1000000"))
DB = os.environ.get("BENCH_DB", "relations_bench")
PG = "postgresql://postgres@127.0.0.1:5432"
DURATION = os.environ.get("BENCH_DURATION", "10s")
PROJECT, BASELINE = "http://127.0.0.1:8101", "http://127.0.0.1:8102"
ENV = {
    **os.environ,
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
    "DEBUG": "0",
    "SECRET_KEY": "benchmark-only-secret-key-0123456789-abcdefghijklmnop",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "LOG_LEVEL": "ERROR",
    "API_THROTTLE": "0",
    "SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback
    "BASELINE_DSN": f"{PG}/{DB}",
}


def log(message):
    print(message, file=sys.stderr, flush=True)


def ensure_database(db=DB, events=EVENTS, env=ENV):
    """Create, migrate and fill ``db`` with ``events`` generated events, unless it has them."""
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db,)).fetchone():
            conn.execute(f'CREATE DATABASE "{db}"')
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    with psycopg.connect(f"{PG}/{db}") as conn:
        have = conn.execute("SELECT count(*) FROM events_event").fetchone()[0]
    if have < events:
        log(f"Generating {events - have:,} events (have {have:,}) …")
        subprocess.run(
            [PYTHON, "manage.py", "generate_demo_data", "--events", str(events - have)], cwd=ROOT, env=env, check=True
        )
    else:
        log(f"Reusing {db}: {have:,} events.")


def server_settings():
    """The PostgreSQL settings the numbers depend on, for the report."""
    with psycopg.connect(f"{PG}/{DB}") as conn:
        values = [conn.execute(f"SHOW {name}").fetchone()[0] for name in ("shared_buffers", "wal_compression")]
    return f"PostgreSQL: shared_buffers {values[0]}, wal_compression {values[1]}"


def probes():
    """Values the reads need: a popular actor, a speaker, an event, a deep keyset position."""
    with psycopg.connect(f"{PG}/{DB}") as conn:
        actor = conn.execute(
            """SELECT a.slug FROM events_participation p JOIN actors_actor a ON a.id = p.actor_id
               WHERE a.status = 'published' GROUP BY a.slug ORDER BY count(*) DESC LIMIT 1"""
        ).fetchone()[0]
        speaker = conn.execute(
            """SELECT a.slug FROM events_quote q JOIN actors_actor a ON a.id = q.speaker_id
               WHERE a.status = 'published' GROUP BY a.slug ORDER BY count(*) DESC LIMIT 1"""
        ).fetchone()[0]
        event = conn.execute(
            "SELECT slug FROM events_event WHERE status = 'published' ORDER BY id LIMIT 1 OFFSET 5000"
        ).fetchone()[0]
        deep = conn.execute(
            "SELECT start_date, id FROM events_event WHERE status = 'published' ORDER BY start_date DESC, id DESC OFFSET 300000 LIMIT 1"
        ).fetchone()
        events_in_actor = conn.execute(
            "SELECT count(*) FROM events_participation p JOIN actors_actor a ON a.id = p.actor_id WHERE a.slug = %s",
            (actor,),
        ).fetchone()[0]
    cursor = (
        base64.urlsafe_b64encode(json.dumps({"p": [deep[0].isoformat(), deep[1]]}, separators=(",", ":")).encode())
        .decode()
        .rstrip("=")
    )
    return {"actor": actor, "speaker": speaker, "event": event, "cursor": cursor, "deep": f"{deep[0]},{deep[1]}",
            "actor_events": events_in_actor}  # fmt: skip


def reads(p):
    return [
        ("events list, JSON", "/api/events/?page_size=30", "/events.json"),
        ("events list, HTML (capped count)", "/events/", "/events.html"),
        ("events by type+country+date", "/api/events/?type=04&country=RU&date_from=2010&page_size=30",
         "/events.json?type=04&country=RU&date_from=2010"),
        ("events by type+country+date, HTML with facets", "/events/?type=04&country=RU&date_from=2010",
         "/events.html?type=04&country=RU&date_from=2010"),
        (f"actor timeline ({p['actor_events']:,} events), JSON", f"/api/events/?actor={p['actor']}&page_size=50",
         f"/events.json?actor={p['actor']}&limit=50"),
        ("actor page, HTML", f"/actors/{p['actor']}/", f"/events.json?actor={p['actor']}&limit=50"),
        ("search a common word, newest first", "/api/events/?q=sanctions&ordering=-date&page_size=30",
         "/events.json?q=sanctions&ordering=-date"),
        ("quotes by speaker", f"/api/quotes/?speaker={p['speaker']}&page_size=30", f"/quotes.json?speaker={p['speaker']}"),
        ("event detail", f"/api/events/{p['event']}/", f"/event.json?slug={p['event']}"),
        ("deep cursor page (300,000 rows in)", f"/api/events/?page_size=30&cursor={p['cursor']}",
         f"/events.json?before={p['deep']}"),
    ]  # fmt: skip


def serve(app, port, extra_env=None, workers=2, output=None):
    """gunicorn serving ``app``; its log goes to ``output`` (a file) when given."""
    process = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", app, "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "--timeout", "120"],
        cwd=ROOT, env={**ENV, **(extra_env or {})}, start_new_session=True, stdout=output, stderr=output,
    )  # fmt: skip
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz-not-there", timeout=1)
        except urllib.error.HTTPError:
            return process
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{app} did not start")


def stop(process):
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def wrk(url, *, paths=None, duration=DURATION):
    """wrk on ``url`` (warmed up first), or over ``paths`` (each sent once, from ``url``'s
    server, by bench/mixed.py's script): req/s, p50, p99 (ms), non-2xx responses, requests."""
    command = ["wrk", "-t2", "-c8", f"-d{duration}", "--latency", "--timeout", "10s"]
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ)
        if paths is None:
            for _ in range(3):  # warm up caches and connections
                urllib.request.urlopen(url, timeout=60).read()
        else:
            from bench import mixed

            script, listing = Path(tmp) / "mixed.lua", Path(tmp) / "paths.txt"
            script.write_text(mixed.LUA)
            listing.write_text("\n".join(paths) + "\n")
            command += ["-s", str(script)]
            env["BENCH_PATHS"] = str(listing)
        out = subprocess.run([*command, url], capture_output=True, text=True, check=True, env=env).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = {m.group(1): to_ms(m.group(2)) for m in re.finditer(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M)}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return rps, latency["50"], latency["99"], int(errors.group(1)) if errors else 0, requests


def to_ms(value):
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def peak_rss_kb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def export_benchmark():
    """CSV export through one worker: rows/s and the worker's peak memory, 10k vs 100k rows."""
    results = []
    with psycopg.connect(f"{PG}/{DB}") as conn:
        dates = (
            conn.execute(
                "SELECT start_date FROM events_event WHERE status = 'published' ORDER BY start_date DESC, id DESC OFFSET %s LIMIT 1",
                (100_000,),
            ).fetchone()[0],
            conn.execute(
                "SELECT start_date FROM events_event WHERE status = 'published' ORDER BY start_date DESC, id DESC OFFSET %s LIMIT 1",
                (10_000,),
            ).fetchone()[0],
        )
    for date_from in (dates[1], dates[0]):
        server = serve("relations_site.wsgi:application", 8103, {"PUBLIC_CACHE": "0"}, workers=1)
        try:
            worker = int(
                subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()[0]
            )
            urllib.request.urlopen("http://127.0.0.1:8103/api/events/?format=csv&date_from=2025-12", timeout=60).read()
            before = peak_rss_kb(worker)
            started = time.monotonic()
            rows = 0
            with urllib.request.urlopen(
                f"http://127.0.0.1:8103/api/events/?format=csv&date_from={date_from}", timeout=600
            ) as response:
                for _ in response:
                    rows += 1
            elapsed = time.monotonic() - started
            results.append((rows - 1, (rows - 1) / elapsed, before / 1024, peak_rss_kb(worker) / 1024))
        finally:
            stop(server)
    return results


def write_benchmark(dsn):
    from bench import writes

    return writes.write_benchmark(dsn)


def mixed_benchmark():
    """The mixed workload (bench/mixed.py): distinct filter combinations, the project's cache on
    and emptied before each read, against the baseline on the same combinations."""
    from bench import mixed

    combinations = mixed.draw(f"{PG}/{DB}")
    results = []
    for name, project_paths, baseline_paths in mixed.reads(combinations):
        baseline = serve("bench.baseline:application", 8102)
        try:
            base = wrk(BASELINE, paths=baseline_paths, duration=mixed.DURATION)
        finally:
            stop(baseline)
        subprocess.run(["redis-cli", "-n", "3", "FLUSHDB"], capture_output=True)
        server = serve("relations_site.wsgi:application", 8101, {"CACHE_URL": "redis://127.0.0.1:6379/3"})
        try:
            project = wrk(PROJECT, paths=project_paths, duration=mixed.DURATION)
        finally:
            stop(server)
        results.append((name, project, base))
    return mixed.table(results, len(combinations))


def main():
    ensure_database()
    if "--writes" in sys.argv:  # make bench-writes: the public writes alone
        print(write_benchmark(f"{PG}/{DB}"))
        return
    if "--mixed" in sys.argv:  # make bench-mixed: the mixed workload alone
        report = mixed_benchmark()
        print(report)
        (ROOT / "bench" / "latest-mixed.md").write_text(
            f"Events in the database: {EVENTS:,}; {server_settings()}.\n\n{report}\n"
        )
        return
    p = probes()
    modes = [("cached", {"CACHE_URL": "redis://127.0.0.1:6379/3"}), ("uncached", {"PUBLIC_CACHE": "0"})]
    subprocess.run(["redis-cli", "-n", "3", "FLUSHDB"], capture_output=True)
    baseline = serve("bench.baseline:application", 8102)
    try:
        base_results = {name: wrk(BASELINE + path) for name, _, path in reads(p)}
    finally:
        stop(baseline)
    project_results = {}
    for mode, extra in modes:
        server = serve("relations_site.wsgi:application", 8101, extra)
        try:
            for name, path, _ in reads(p):
                project_results[(name, mode)] = wrk(PROJECT + path)
        finally:
            stop(server)
    header = "| read | project cached req/s | p50 / p99 ms | project uncached req/s | p50 / p99 ms | baseline req/s | p50 / p99 ms | ratio cached | ratio uncached |"
    lines = [header, "|" + "---|" * 9]
    for name, _, _ in reads(p):
        b = base_results[name]
        c, u = project_results[(name, "cached")], project_results[(name, "uncached")]
        lines.append(
            f"| {name} | {c[0]:,.0f} | {c[1]:.1f} / {c[2]:.1f} | {u[0]:,.0f} | {u[1]:.1f} / {u[2]:.1f} | "
            f"{b[0]:,.0f} | {b[1]:.1f} / {b[2]:.1f} | {c[0] / b[0]:.2f} | {u[0] / b[0]:.2f} |"
            + (f" errors: {c[3]}/{u[3]}/{b[3]}" if c[3] or u[3] or b[3] else "")
        )
    exports = export_benchmark()
    lines += ["", "| CSV export | rows | rows/s | worker peak RSS before → after (MiB) |", "|---|---|---|---|"]
    for rows, rate, before, after in exports:
        lines.append(f"| events | {rows:,} | {rate:,.0f} | {before:.0f} → {after:.0f} |")
    lines += ["", write_benchmark(f"{PG}/{DB}"), "", mixed_benchmark()]
    report = "\n".join(lines)
    print(report)
    # The last run, for copying into bench/README.md (not versioned: it changes every run).
    (ROOT / "bench" / "latest.md").write_text(
        f"Events in the database: {EVENTS:,}; wrk -t2 -c8 -d{DURATION}; {server_settings()}.\n\n{report}\n"
    )


if __name__ == "__main__":
    main()
