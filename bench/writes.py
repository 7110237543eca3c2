"""Public writes at a million events: the database's part of each (the UPDATE and every trigger
it fires: the read model, the change log), timed in a transaction that is then rolled back, so
the database is left as it was. Part of `make bench`; alone: `python bench/writes.py`.

Each run is on a connection that has made the same write once (and rolled it back), as a
served connection has; the touched tables are vacuumed just before the timed write: a
rolled-back run leaves dead row versions behind, which the next would otherwise step over.
Three runs each; the table gives the fastest, the median and the slowest.
"""

import os
import statistics
import sys
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.baseline import PLANNER_COSTS  # noqa: E402

RUNS = int(os.environ.get("BENCH_WRITE_RUNS", "3"))
TABLES = "events_event, events_publicevent, events_quote, events_publicchange, actors_actor"


def subjects(conn):
    """The rows the writes change: a draft event that cites a published source, a published
    event, and the published actor with the most participations."""
    draft = conn.execute(
        """SELECT e.id FROM events_event e WHERE e.status = 'draft' AND EXISTS (
               SELECT 1 FROM events_citation c JOIN events_source s ON s.id = c.source_id
               WHERE c.event_id = e.id AND s.status = 'published') ORDER BY e.id LIMIT 1"""
    ).fetchone()
    published = conn.execute("SELECT id FROM events_publicevent ORDER BY id LIMIT 1 OFFSET 5000").fetchone()[0]
    actor, links = conn.execute(
        """SELECT p.actor_id, count(*) FROM events_participation p JOIN actors_actor a ON a.id = p.actor_id
           WHERE a.status = 'published' GROUP BY p.actor_id ORDER BY count(*) DESC LIMIT 1"""
    ).fetchone()
    quotes = conn.execute("SELECT count(*) FROM events_quote WHERE speaker_id = %s", (actor,)).fetchone()[0]
    return {"draft": draft[0] if draft else None, "event": published, "actor": actor, "links": links, "quotes": quotes}


def writes(s):
    """(name, SQL run first and not timed, the timed SQL, parameters)."""
    actor = f"the most linked actor ({s['links']:,} events, {s['quotes']:,} quotes)"
    listed = [
        ("correct a published event", None, "UPDATE events_event SET title = title || ' (corrected)', "
         "updated_at = now() WHERE id = %(event)s"),
        ("withdraw a published event", None, "UPDATE events_event SET status = 'withdrawn' WHERE id = %(event)s"),
        (f"withdraw {actor}", None, "UPDATE actors_actor SET status = 'withdrawn' WHERE id = %(actor)s"),
        (f"rename {actor}", None, "UPDATE actors_actor SET name = name || ' (renamed)', "
         "slug = slug || '-renamed' WHERE id = %(actor)s"),
        (f"publish {actor} again", "UPDATE actors_actor SET status = 'withdrawn' WHERE id = %(actor)s",
         "UPDATE actors_actor SET status = 'published' WHERE id = %(actor)s"),
    ]  # fmt: skip
    if s["draft"]:
        listed.insert(
            0, ("publish a draft event", None, "UPDATE events_event SET status = 'published' WHERE id = %(draft)s")
        )
    return listed


def timed(dsn, before, sql, params):
    with psycopg.connect(dsn, options=PLANNER_COSTS) as conn:
        # Once untimed, as a served connection (kept for a minute) has run it: PostgreSQL compiles
        # the triggers' functions and plans their statements on a connection's first call.
        for statement in (before, sql):
            if statement:
                conn.execute(statement, params)
        conn.rollback()
        with psycopg.connect(dsn, autocommit=True) as other:
            other.execute(f"VACUUM {TABLES}")
        if before:
            conn.execute(before, params)
        started = time.perf_counter()
        conn.execute(sql, params)
        elapsed = time.perf_counter() - started
        conn.rollback()
    return elapsed * 1000


def write_benchmark(dsn):
    with psycopg.connect(dsn) as conn:
        s = subjects(conn)
    lines = [
        "| public write (database's part, rolled back) | fastest ms | median ms | slowest ms |",
        "|---|---|---|---|",
    ]
    for name, before, sql in writes(s):
        times = [timed(dsn, before, sql, s) for _ in range(RUNS)]
        lines.append(f"| {name} | {min(times):,.1f} | {statistics.median(times):,.1f} | {max(times):,.1f} |")
        print(lines[-1], file=sys.stderr, flush=True)
    return "\n".join(lines)


if __name__ == "__main__":
    print(write_benchmark(os.environ.get("BENCH_DSN", "postgresql://postgres@127.0.0.1:5432/relations_bench")))
