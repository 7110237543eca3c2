"""The public summary of each event (``EventSummary``): its published participants and sources and its count of public quotes, stored for lists and the CSV export.

An event's export row names its published participants, its published sources and its count
of published quotes. Computed per row at export time, that is three correlated subqueries
into tables of millions of rows, 8.5 s per 100,000 events on PostgreSQL (bench/README.md).
Stored, the export reads one row by primary key instead.

The stored values are kept by database triggers, not by Django signals or services: they
must follow every write path (admin inlines, API, services, fixtures, merges, raw SQL), and
a status change of one popular actor touches tens of thousands of events, which one
set-based UPDATE does in the database. The triggers and the fill are written here once for
both databases; migration 0007 installs them and ``generate_demo_data`` fills after its bulk
load (with the triggers off during the load).

What "published" means here mirrors the querysets' ``published()`` (Actor, Source, Quote):
a test compares the stored rows with the values computed the slow way after every kind of
write.

On SQLite, a migration that alters one of these tables rebuilds it and so drops its triggers:
such a migration must run ``create_triggers`` again (after ``drop_triggers``). A test checks
that every trigger is in place after all migrations.
"""

# The values of one event, as SQL expressions over ``{event}`` (the event's id).
PARTICIPANTS = {
    "postgresql": """COALESCE((
        SELECT string_agg(a.slug || ':' || p.role, ';' ORDER BY p.id)
        FROM events_participation p JOIN actors_actor a ON a.id = p.actor_id
        WHERE p.event_id = {event} AND a.status = 'published'), '')""",
    # SQLite before 3.44 has no ORDER BY inside an aggregate: it concatenates in the order of
    # the ordered subquery it reads.
    "sqlite": """COALESCE((
        SELECT group_concat(v, ';') FROM (
            SELECT a.slug || ':' || p.role AS v
            FROM events_participation p JOIN actors_actor a ON a.id = p.actor_id
            WHERE p.event_id = {event} AND a.status = 'published' ORDER BY p.id)), '')""",
}
SOURCES = {
    "postgresql": """COALESCE((
        SELECT string_agg(c.source_id::text, ';' ORDER BY c.id)
        FROM events_citation c JOIN events_source s ON s.id = c.source_id
        WHERE c.event_id = {event} AND s.status = 'published'), '')""",
    "sqlite": """COALESCE((
        SELECT group_concat(v, ';') FROM (
            SELECT CAST(c.source_id AS TEXT) AS v
            FROM events_citation c JOIN events_source s ON s.id = c.source_id
            WHERE c.event_id = {event} AND s.status = 'published' ORDER BY c.id)), '')""",
}
# Quote.objects.published(): the quote, its speaker and its source published.
QUOTE_COUNT = """(
    SELECT count(*) FROM events_quote q
    JOIN actors_actor a ON a.id = q.speaker_id JOIN events_source s ON s.id = q.source_id
    WHERE q.event_id = {event} AND q.status = 'published'
      AND a.status = 'published' AND s.status = 'published')"""


def values(vendor, event):
    return (
        PARTICIPANTS[vendor].format(event=event),
        SOURCES[vendor].format(event=event),
        QUOTE_COUNT.format(event=event),
    )


def refresh_sql(vendor, condition):
    """Recompute the export rows of the events that match ``condition`` (over ``event_id``)."""
    participants, sources, quote_count = values(vendor, "events_eventexport.event_id")
    return (
        f"UPDATE events_eventexport SET participants = {participants}, sources = {sources}, "
        f"quote_count = {quote_count} WHERE {condition}"
    )


def fill_sql(vendor, where="TRUE"):
    """Create or recompute the export rows of the events matching ``where`` (over ``e``)."""
    participants, sources, quote_count = values(vendor, "e.id")
    return (
        "INSERT INTO events_eventexport (event_id, participants, sources, quote_count) "
        f"SELECT e.id, {participants}, {sources}, {quote_count} FROM events_event e WHERE {where} "
        "ON CONFLICT (event_id) DO UPDATE SET participants = excluded.participants, "
        "sources = excluded.sources, quote_count = excluded.quote_count"
    )


# (name, table, when it fires, condition, the ids of the events whose rows it recomputes)
TRIGGERS = [
    ("events_export_participation_ins", "events_participation", "AFTER INSERT", "", "NEW.event_id"),
    ("events_export_participation_del", "events_participation", "AFTER DELETE", "", "OLD.event_id"),
    ("events_export_participation_upd", "events_participation", "AFTER UPDATE", "", "OLD.event_id, NEW.event_id"),
    ("events_export_citation_ins", "events_citation", "AFTER INSERT", "", "NEW.event_id"),
    ("events_export_citation_del", "events_citation", "AFTER DELETE", "", "OLD.event_id"),
    ("events_export_citation_upd", "events_citation", "AFTER UPDATE", "", "OLD.event_id, NEW.event_id"),
    ("events_export_quote_ins", "events_quote", "AFTER INSERT", "", "NEW.event_id"),
    ("events_export_quote_del", "events_quote", "AFTER DELETE", "", "OLD.event_id"),
    (
        "events_export_quote_upd",
        "events_quote",
        "AFTER UPDATE",
        "OLD.status <> NEW.status OR OLD.event_id IS NOT NEW.event_id"
        " OR OLD.speaker_id <> NEW.speaker_id OR OLD.source_id <> NEW.source_id",
        "OLD.event_id, NEW.event_id",
    ),
    # An actor or source may be stored after the rows that name it (a fixture; foreign keys
    # are checked at commit), so its insert recomputes them too.
    (
        "events_export_actor_ins",
        "actors_actor",
        "AFTER INSERT",
        "",
        "SELECT event_id FROM events_participation WHERE actor_id = NEW.id"
        " UNION SELECT event_id FROM events_quote WHERE speaker_id = NEW.id",
    ),
    (
        "events_export_source_ins",
        "events_source",
        "AFTER INSERT",
        "",
        "SELECT event_id FROM events_citation WHERE source_id = NEW.id"
        " UNION SELECT event_id FROM events_quote WHERE source_id = NEW.id",
    ),
    (
        "events_export_actor_upd",
        "actors_actor",
        "AFTER UPDATE",
        "OLD.status <> NEW.status OR OLD.slug <> NEW.slug",
        "SELECT event_id FROM events_participation WHERE actor_id = NEW.id"
        " UNION SELECT event_id FROM events_quote WHERE speaker_id = NEW.id",
    ),
    (
        "events_export_source_upd",
        "events_source",
        "AFTER UPDATE",
        "OLD.status <> NEW.status",
        "SELECT event_id FROM events_citation WHERE source_id = NEW.id"
        " UNION SELECT event_id FROM events_quote WHERE source_id = NEW.id",
    ),
]
# A new event gets its row at once, so that the export can join every event's row. Computed,
# not blank: a fixture may load an event's participations before the event itself.
EVENT_INSERT = ("events_export_event_ins", "events_event", "AFTER INSERT")
TABLES = sorted({table for _, table, *_ in TRIGGERS} | {EVENT_INSERT[1]})


# The entries a new or changed link row names, by trigger: on PostgreSQL the trigger holds
# them (FOR SHARE) before it counts. A concurrent status change of one of them then finishes
# first, and the count sees it; without the wait, a participation added while its actor was
# being withdrawn was counted with the actor still published, and neither trigger saw the
# other's row.
REFERENCED = {
    "events_export_participation_ins": [("actors_actor", "NEW.actor_id")],
    "events_export_participation_upd": [("actors_actor", "NEW.actor_id")],
    "events_export_citation_ins": [("events_source", "NEW.source_id")],
    "events_export_citation_upd": [("events_source", "NEW.source_id")],
    "events_export_quote_ins": [("actors_actor", "NEW.speaker_id"), ("events_source", "NEW.source_id")],
    "events_export_quote_upd": [("actors_actor", "NEW.speaker_id"), ("events_source", "NEW.source_id")],
}


def postgresql_body(name, ids):
    """A PostgreSQL trigger's body. READ COMMITTED gives each statement of a trigger function
    its own snapshot, so the order matters:

    1. hold the entries the row names (REFERENCED);
    2. take the event ids once (a second look could find more, unlocked);
    3. lock those export rows, in id order, in a statement of their own, so that the UPDATE's
       snapshot is taken once they are held and sees what a transaction that held them
       committed. (Waiting inside the UPDATE, its subqueries kept the snapshot from before
       the wait: a source withdrawn meanwhile stayed listed.)

    Transactions that lock the same events in different orders can still deadlock (as any two
    writers of the same rows can): PostgreSQL stops one, whose request gets a 503 with nothing
    of it stored."""
    shared = "".join(f"PERFORM 1 FROM {table} WHERE id = {key} FOR SHARE; " for table, key in REFERENCED.get(name, []))
    array = f"ARRAY({ids})" if ids.startswith("SELECT") else f"ARRAY[{ids}]::bigint[]"
    return (
        f"{shared}ids := {array}; "
        "PERFORM 1 FROM events_eventexport WHERE event_id = ANY(ids) ORDER BY event_id FOR UPDATE; "
        f"{refresh_sql('postgresql', 'event_id = ANY(ids)')}"
    )


def create_triggers(vendor):
    """The statements that install the triggers on ``vendor``."""
    statements = []
    for name, table, timing, condition, ids in TRIGGERS:
        if vendor == "postgresql":
            when = f" WHEN ({condition.replace(' IS NOT ', ' IS DISTINCT FROM ')})" if condition else ""
            statements += [
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ DECLARE ids bigint[]; "
                f"BEGIN {postgresql_body(name, ids)}; RETURN NULL; END $$",
                f"CREATE TRIGGER {name} {timing} ON {table} FOR EACH ROW{when} EXECUTE FUNCTION {name}()",
            ]
        else:
            when = f" WHEN {condition}" if condition else ""
            body = refresh_sql(vendor, f"event_id IN ({ids})")
            statements.append(f"CREATE TRIGGER {name} {timing} ON {table} FOR EACH ROW{when} BEGIN {body}; END")
    name, table, timing = EVENT_INSERT
    body = fill_sql(vendor, "e.id = NEW.id")
    if vendor == "postgresql":
        statements += [
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body}; RETURN NULL; END $$",
            f"CREATE TRIGGER {name} {timing} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()",
        ]
    else:
        statements.append(f"CREATE TRIGGER {name} {timing} ON {table} FOR EACH ROW BEGIN {body}; END")
    return statements


def drop_triggers(vendor):
    names = [name for name, *_ in TRIGGERS] + [EVENT_INSERT[0]]
    if vendor == "postgresql":
        return [f"DROP FUNCTION IF EXISTS {name}() CASCADE" for name in names]
    return [f"DROP TRIGGER IF EXISTS {name}" for name in names]


def set_triggers_enabled(cursor, enabled):
    """Bulk loads on PostgreSQL (generate_demo_data) switch the triggers off and fill after.
    (SQLite cannot switch triggers off; there they run per row.) USER leaves the foreign key
    checks on."""
    for table in TABLES:
        cursor.execute(f"ALTER TABLE {table} {'ENABLE' if enabled else 'DISABLE'} TRIGGER USER")
