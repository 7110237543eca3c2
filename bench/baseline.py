"""The limit any framework can approach: the benchmark's reads answered by a bare WSGI app with
hand-written SQL through psycopg and orjson, on the same database. Not part of the product.

Lists read the public read model (events_publicevent), as the project's do since issue 14: the
baseline stands for the best hand-written SQL on the best layout. An event's own address reads
the normalized tables, as the project's detail does."""

import html
import os
from urllib.parse import parse_qs

import orjson
import psycopg

DSN = os.environ.get("BASELINE_DSN", "postgresql://postgres@127.0.0.1:5432/relations_bench")
_connection = None
PLANNER_COSTS = "-c random_page_cost=1.1 -c cpu_index_tuple_cost=0.02 -c work_mem=16MB"

PUBLIC_EVENT = """e.status = 'published' AND EXISTS (
    SELECT 1 FROM events_citation c JOIN events_source s ON s.id = c.source_id
    WHERE c.event_id = e.id AND s.status = 'published')"""

EVENT_ROWS = f"""
SELECT e.id, e.slug, e.title, e.start_date, e.end_date, e.date_precision, e.country, t.code, t.name, t.quad_class
FROM events_event e JOIN events_eventtype t ON t.id = e.event_type_id
WHERE {PUBLIC_EVENT} {{where}}
ORDER BY e.start_date DESC, e.id DESC LIMIT %(limit)s
"""

PARTICIPANTS = """
SELECT p.event_id, a.slug, a.name, a.kind, p.role FROM events_participation p
JOIN actors_actor a ON a.id = p.actor_id
WHERE p.event_id = ANY(%s) AND a.status = 'published' ORDER BY p.event_id, p.id
"""


# Lists: the read model, one row per public event, with its participants' ids and roles; their
# names from the published actors, one query per page (as the project reads them).
LIST_ROWS = """
SELECT e.id, e.slug, e.title, e.start_date, e.end_date, e.date_precision, e.country, e.type_code, e.type_name,
    e.quad_class, e.actor_ids, e.roles
FROM events_publicevent e WHERE TRUE {where}
ORDER BY e.start_date DESC, e.id DESC LIMIT %(limit)s
"""
# With words and no other order the project lists the best matches first: the newest
# RELEVANCE_WINDOW matches ranked (ts_rank, as Django's SearchRank), then the older ones
# (core/search.py). The baseline answers the same question, in one pass over the window.
RANKED_ROWS = """
SELECT * FROM (
    SELECT e.id, e.slug, e.title, e.start_date, e.end_date, e.date_precision, e.country, e.type_code, e.type_name,
        e.quad_class, e.actor_ids, e.roles, ts_rank(e.search_document, websearch_to_tsquery('english', %(q)s)) AS rank
    FROM events_publicevent e WHERE TRUE {where}
    ORDER BY e.start_date DESC, e.id DESC LIMIT %(window)s
) AS w ORDER BY rank DESC, start_date DESC, id DESC LIMIT %(limit)s
"""
RELEVANCE_WINDOW = 300
SHOWN_ACTORS = "SELECT id, slug, name, kind FROM actors_actor WHERE id = ANY(%s) AND status = 'published'"

# As the project's page: the count and the facets from one read of at most 10,001 rows.
COUNT_AND_FACETS = """
SELECT type_root, country, year, count(*) FROM (
    SELECT e.type_root, e.country, e.year FROM events_publicevent e WHERE TRUE {where} LIMIT 10001
) AS capped GROUP BY 1, 2, 3
"""


def count_and_facets(cursor, where, params):
    """(count up to 10,001, [(title, [(value, n)])]), the facets only at 10,000 rows or fewer."""
    groups = cursor.execute(COUNT_AND_FACETS.format(where=where), params).fetchall()
    count = sum(n for *_, n in groups)
    if count > 10_000:
        return count, []
    by = [{}, {}, {}]
    for *values, n in groups:
        for column, value in enumerate(values):
            by[column][value] = by[column].get(value, 0) + n
    return count, [
        ("Type", sorted(by[0].items(), key=lambda item: (-item[1], item[0]))),
        ("Country", sorted(((v, n) for v, n in by[1].items() if v), key=lambda item: (-item[1], item[0]))[:15]),
        ("Year", sorted(by[2].items(), reverse=True)[:40]),
    ]


def event_filters(query):
    """SQL conditions and parameters for the project's event filters the benchmark uses."""
    where, params = "", {}
    if "type" in query and len(query["type"]) == 2:
        where += " AND e.type_root = %(type)s"
        params["type"] = query["type"]
    elif "type" in query:
        where += " AND e.type_code LIKE %(type)s"
        params["type"] = query["type"] + "%"
    if "country" in query:
        where += " AND e.country = %(country)s"
        params["country"] = query["country"].upper()
    if "date_from" in query:
        where += " AND e.period_end >= %(date_from)s"
        params["date_from"] = f"{query['date_from']}-01-01"
    if "before" in query:  # keyset: rows after (date, id) in newest-first order
        date, event_id = query["before"].split(",")
        where += " AND (e.start_date, e.id) < (%(date)s, %(id)s)"
        params.update(date=date, id=int(event_id))
    if "q" in query:
        where += " AND e.search_document @@ websearch_to_tsquery('english', %(q)s)"
        params["q"] = query["q"]
    if "actor" in query:
        # The id first, as the project does: with a constant the planner can use the
        # (actor, event) index's statistics; a scalar subquery made this read take seconds.
        with connection().cursor() as cursor:
            row = cursor.execute(
                "SELECT id FROM actors_actor WHERE slug = %s AND status = 'published'", (query["actor"],)
            ).fetchone()
        where += " AND e.actor_ids && ARRAY[%(actor)s]::bigint[]"
        params["actor"] = row[0] if row else 0
    return where, params


def connection():
    global _connection
    if _connection is None or _connection.closed:
        # The project's planner costs (relations_site/settings.py), so both plan alike.
        _connection = psycopg.connect(DSN, autocommit=True, options=PLANNER_COSTS)
    return _connection


def events(where="", params=None, limit=30, ranked=False):
    """A list's rows from the read model, the best matches first if ``ranked``."""
    with connection().cursor() as cursor:
        sql = RANKED_ROWS if ranked else LIST_ROWS
        cursor.execute(sql.format(where=where), {**(params or {}), "limit": limit, "window": RELEVANCE_WINDOW})
        rows = cursor.fetchall()
        ids = list({actor for r in rows for actor in r[10]})
        shown = {a[0]: {"actor": a[1], "name": a[2], "kind": a[3]} for a in cursor.execute(SHOWN_ACTORS, (ids,))}
    return [
        {
            "slug": r[1], "title": r[2], "start_date": r[3], "end_date": r[4], "date_precision": r[5],
            "country": r[6], "type": r[7], "type_name": r[8], "quad_class": r[9],
            "participants": [{**shown[a], "role": role} for a, role in zip(r[10], r[11], strict=True) if a in shown],
        }
        for r in rows
    ]  # fmt: skip


def event(slug):
    """One event from the normalized tables, as its page reads it."""
    where, params, limit = " AND e.slug = %(slug)s", {"slug": slug}, 1
    with connection().cursor() as cursor:
        cursor.execute(EVENT_ROWS.format(where=where), {**(params or {}), "limit": limit})
        rows = cursor.fetchall()
        ids = [row[0] for row in rows]
        cursor.execute(PARTICIPANTS, (ids,))
        participants = {}
        for event_id, slug, name, kind, role in cursor.fetchall():
            participants.setdefault(event_id, []).append({"actor": slug, "name": name, "kind": kind, "role": role})
    return [
        {
            "slug": r[1], "title": r[2], "start_date": r[3], "end_date": r[4], "date_precision": r[5],
            "country": r[6], "type": r[7], "type_name": r[8], "quad_class": r[9],
            "participants": participants.get(r[0], []),
        }
        for r in rows
    ]  # fmt: skip


def application(environ, start_response):
    path = environ["PATH_INFO"]
    query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
    if path == "/events.json":
        where, params = event_filters(query)
        ranked = "q" in query and "ordering" not in query
        body = orjson.dumps({"results": events(where, params, int(query.get("limit", 30)), ranked)})
        return respond(start_response, body, "application/json")
    if path == "/events.html":
        where, params = event_filters(query)
        items = "".join(
            f'<li><a href="/events/{e["slug"]}/">{html.escape(e["title"])}</a> {e["start_date"]} '
            f"{html.escape(e['type_name'])} " + ", ".join(html.escape(p["name"]) for p in e["participants"]) + "</li>"
            for e in events(where, params, ranked="q" in query and "ordering" not in query)
        )
        with connection().cursor() as cursor:
            count, groups = count_and_facets(cursor, where, params)
        facets = "".join(
            f"<h2>{title}</h2><ul>" + "".join(f"<li>{html.escape(str(v))} {n}</li>" for v, n in rows) + "</ul>"
            for title, rows in groups
        )
        body = (
            f"<!doctype html><html><body><h1>Events</h1><p>{count if count <= 10_000 else '10,000+'} events</p>"
            f"{facets}<ol>{items}</ol></body></html>"
        ).encode()
        return respond(start_response, body, "text/html; charset=utf-8")
    if path == "/quotes.json":
        with connection().cursor() as cursor:
            cursor.execute(
                """SELECT q.id, q.text, q.said_on, a.slug, a.name, s.id, s.title FROM events_quote q
                   JOIN actors_actor a ON a.id = q.speaker_id JOIN events_source s ON s.id = q.source_id
                   WHERE q.speaker_id = (SELECT id FROM actors_actor WHERE slug = %s) AND q.status = 'published'
                   AND a.status = 'published' AND s.status = 'published'
                   ORDER BY q.said_on DESC NULLS LAST, q.id DESC LIMIT 30""",
                (query.get("speaker", ""),),
            )
            rows = [
                {"id": r[0], "text": r[1], "said_on": r[2], "speaker": r[3], "speaker_name": r[4], "source": r[5],
                 "source_title": r[6]}
                for r in cursor.fetchall()
            ]  # fmt: skip
        return respond(start_response, orjson.dumps({"results": rows}), "application/json")
    if path == "/event.json":
        rows = event(query.get("slug", ""))
        return respond(start_response, orjson.dumps(rows[0] if rows else {}), "application/json")
    return respond(start_response, b"not found", "text/plain", "404 Not Found")


def respond(start_response, body, content_type, status="200 OK"):
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]
