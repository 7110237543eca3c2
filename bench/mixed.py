"""The mixed workload: what readers and API consumers send, not one address repeated.

Thousands of distinct filter combinations drawn from the benchmark database (an actor, popular
or rare; a CAMEO root type; a country; a first year; a search word: each present or not),
sent once each, in a fixed random order, to the project and to the baseline on the same
combinations: the JSON list (``/api/events/?…&page_size=30`` against ``/events.json?…``) and
the HTML list with its facets (``/events/?…`` against ``/events.html?…``). The project's cache
is on (Redis) and emptied before each run, so every address is a miss unless wrk comes round to
it again, which the report says (requests / distinct).
"""

import os
import random
import re
from urllib.parse import urlencode

import psycopg

COMBINATIONS = int(os.environ.get("BENCH_MIXED_COMBINATIONS", "20000"))
DURATION = os.environ.get("BENCH_MIXED_DURATION", "30s")
SEED = 20261130

# Each thread of wrk starts at its own share of the addresses, so no two send the same one.
LUA = """
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
local threads = 0
function setup(thread)
  thread:set("offset", threads)
  threads = threads + 1
end
local counter = 0
function init(args)
  counter = offset * math.floor(#paths / 2)
end
function request()
  counter = counter + 1
  return wrk.format("GET", paths[((counter - 1) % #paths) + 1])
end
"""


def draw(dsn, n=COMBINATIONS, seed=SEED):
    """``n`` distinct filter combinations (dicts of query parameters) drawn from the data."""
    rng = random.Random(seed)
    with psycopg.connect(dsn) as conn:
        popular = [
            r[0]
            for r in conn.execute(
                """SELECT a.slug FROM events_participation p JOIN actors_actor a ON a.id = p.actor_id
                   WHERE a.status = 'published' GROUP BY a.slug ORDER BY count(*) DESC LIMIT 50"""
            )
        ]
        rare = [
            r[0]
            for r in conn.execute(
                """SELECT slug FROM actors_actor WHERE status = 'published'
                   AND EXISTS (SELECT 1 FROM events_participation p WHERE p.actor_id = actors_actor.id)
                   ORDER BY md5(slug) LIMIT 2000"""
            )
        ]
        types = [r[0] for r in conn.execute("SELECT code FROM events_eventtype WHERE parent_id IS NULL ORDER BY code")]
        countries = [
            r[0]
            for r in conn.execute(
                """SELECT country FROM events_event WHERE country <> '' GROUP BY country
                   ORDER BY count(*) DESC LIMIT 60"""
            )
        ]
        first, last = conn.execute(
            "SELECT extract(year FROM min(start_date))::int, extract(year FROM max(start_date))::int FROM events_event"
        ).fetchone()
        titles = [r[0] for r in conn.execute("SELECT title FROM events_event TABLESAMPLE SYSTEM (0.1) LIMIT 2000")]
    words = sorted({w.lower() for t in titles for w in re.findall(r"[A-Za-z]{5,}", t)})
    seen, combinations = set(), []
    while len(combinations) < n:
        query = {}
        if rng.random() < 0.5:
            query["actor"] = rng.choice(popular) if rng.random() < 0.4 else rng.choice(rare)
        if rng.random() < 0.5:
            query["type"] = rng.choice(types)
        if rng.random() < 0.4:
            query["country"] = rng.choice(countries)
        if rng.random() < 0.4:
            query["date_from"] = str(rng.randint(first, last))
        if rng.random() < 0.2 and words:
            query["q"] = rng.choice(words)
        key = tuple(sorted(query.items()))
        if key in seen:
            continue
        seen.add(key)
        combinations.append(query)
    return combinations


def reads(combinations):
    """(name, project paths, baseline paths) for the JSON list and the HTML list with facets."""
    return [
        (
            "events list, JSON, mixed filters",
            [f"/api/events/?{urlencode({**q, 'page_size': 30})}" for q in combinations],
            [f"/events.json?{urlencode(q)}" for q in combinations],
        ),
        (
            "events list, HTML with facets, mixed filters",
            [f"/events/?{urlencode(q)}" if q else "/events/" for q in combinations],
            [f"/events.html?{urlencode(q)}" for q in combinations],
        ),
    ]


def table(results, distinct):
    lines = [
        "| read (distinct addresses, cache cold) | project req/s | p50 / p99 ms | baseline req/s | p50 / p99 ms "
        "| ratio | requests project / baseline |",
        "|" + "---|" * 7,
    ]
    for name, project, baseline in results:
        errors = f" errors: {project[3]}/{baseline[3]}" if project[3] or baseline[3] else ""
        lines.append(
            f"| {name} | {project[0]:,.1f} | {project[1]:.0f} / {project[2]:.0f} | {baseline[0]:,.1f} | "
            f"{baseline[1]:.0f} / {baseline[2]:.0f} | {project[0] / baseline[0]:.2f} | "
            f"{project[4]:,} / {baseline[4]:,} of {distinct:,}{errors} |"
        )
    return "\n".join(lines)
