"""The public read model (``PublicEvent``): one row per publicly visible event, kept by the
database in the transaction of every write.

Why: a public list used to re-derive each event's visibility per row (published, citing a
published source: an EXISTS over citations and sources) and to join participations, types and
quotes for filters, facets and counts. At a million events that made a new combination of
filters take seconds (bench/README.md). Here the row exists only while the event is public,
and carries what lists, filters, facets, counts and exports read: the type, dates, country,
the participants (every linked actor's id, with a GIN index, and role), the published sources
ready to render, the count of public quotes and the search document.

Who of the participants is shown, and under which name, is read with the page from the actors
(``events.selectors.with_participants``, one query by primary key per page or export chunk),
not copied into the rows: a popular actor is linked to 60,000 events, and rewriting their rows
made its rename take 2-5 s and its withdrawal 4-6 s at a million events (bench/README.md).

Why triggers: the row must follow every write path (admin and its inlines, API, services,
merges, fixtures, ``queryset.update()``, raw SQL), in the same transaction. The SQL is written
here once for both databases; migration 0011 installs it, ``generate_demo_data`` fills after
its bulk load with the triggers off.

Refreshes, by what changed:
- ``rows``: the whole row, deleted and inserted again (or not, if the event is no longer
  public). For a change of the event, its citations, a cited source, or its type.
- ``links``: only the participant and quote columns, recomputed in place, for a change of a
  participation or a quote.
- an actor's publication or withdrawal (PostgreSQL: ``PATCH_ACTOR``): the quote counts of the
  events it spoke on, counted again. A rename changes no row. The count changes no indexed
  column, so the new row versions need no index entries (HOT; the table keeps room for them).

On PostgreSQL the triggers run once per statement, over its transition tables, so a merge that
moves thousands of participations refreshes their events once. READ COMMITTED gives each
statement of a trigger function its own snapshot, so a refresh first waits, in statements of
its own, for the writes it must see (HOLD) and then reads what they committed. SQLite has one
writer and row triggers; it refreshes the whole row every time, which is simplest and always
right.

What "public" means mirrors the querysets' ``published()`` (Event, Actor, Source, Quote): a
property test (tests/events/test_read_model.py) compares the table with the rows computed the
slow way after random sequences of writes.

On SQLite, a migration that alters one of the watched tables rebuilds it and so drops its
triggers: such a migration must run ``drop_triggers`` and ``create_triggers`` again. A test
checks that every trigger is installed after all migrations.
"""

import re

COLUMNS = [
    "id",
    "slug",
    "title",
    "summary",
    "event_type_id",
    "type_code",
    "type_root",
    "type_name",
    "quad_class",
    "score",
    "start_date",
    "end_date",
    "date_precision",
    "period_end",
    "year",
    "location",
    "country",
    "actor_ids",
    "roles",
    "source_ids",
    "sources",
    "source_list",
    "quote_count",
    "created_at",
    "updated_at",
    "search_document",
]

# PostgreSQL: set-based, so that a refresh of 60,000 events is a few hash joins, not 60,000
# rounds of subqueries. ``{links}`` restricts the link tables, ``{events}`` the events (over
# the column named in each).
PG_PARTICIPANTS = """SELECT p.event_id,
        array_agg(p.actor_id ORDER BY p.id) AS actor_ids,
        array_agg(p.role ORDER BY p.id)::text[] AS roles
    FROM events_participation p
    WHERE {links:p.event_id} GROUP BY p.event_id"""
PG_CITATIONS = """SELECT c.event_id,
        array_agg(c.source_id ORDER BY c.id) AS source_ids,
        jsonb_agg(jsonb_build_object('source', s.id, 'title', s.title, 'url', s.url, 'publisher', s.publisher,
            'locator', c.locator, 'note', c.note) ORDER BY c.id) AS sources,
        string_agg(c.source_id::text, ';' ORDER BY c.id) AS source_list
    FROM events_citation c JOIN events_source s ON s.id = c.source_id
    WHERE s.status = 'published' AND {links:c.event_id} GROUP BY c.event_id"""
# Quote.objects.published(): the quote, its speaker and its source published.
PG_QUOTES = """SELECT q.event_id, count(*) AS n
    FROM events_quote q JOIN actors_actor a ON a.id = q.speaker_id JOIN events_source s ON s.id = q.source_id
    WHERE q.status = 'published' AND a.status = 'published' AND s.status = 'published' AND {links:q.event_id}
    GROUP BY q.event_id"""
# The inner join with the published citations is the visibility rule: an event is public
# while it is published and cites a published source.
PG_ROWS = f"""SELECT e.id, e.slug, e.title, e.summary, e.event_type_id, t.code, left(t.code, 2), t.name,
        t.quad_class, t.score, e.start_date, e.end_date, e.date_precision, e.period_end,
        extract(year FROM e.start_date)::integer, e.location, e.country,
        COALESCE(pa.actor_ids, '{{}}'), COALESCE(pa.roles, '{{}}'), ci.source_ids, ci.sources, ci.source_list, COALESCE(qu.n, 0),
        e.created_at, e.updated_at, e.search_document
    FROM events_event e
    JOIN events_eventtype t ON t.id = e.event_type_id
    JOIN ({PG_CITATIONS}) ci ON ci.event_id = e.id
    LEFT JOIN ({PG_PARTICIPANTS}) pa ON pa.event_id = e.id
    LEFT JOIN ({PG_QUOTES}) qu ON qu.event_id = e.id
    WHERE e.status = 'published' AND {{events:e.id}}"""

# SQLite: correlated subqueries per event (its refreshes touch one event's links at a time).
# SQLite before 3.44 has no ORDER BY inside an aggregate: it aggregates in the order of the
# ordered subquery it reads. json_object is called inside the aggregate, where its result
# stays JSON (through a subquery it would become a string).
SQLITE_PARTICIPATIONS = """(SELECT {aggregate} FROM (
        SELECT p.actor_id, p.role FROM events_participation p WHERE p.event_id = e.id ORDER BY p.id))"""
SQLITE_CITATIONS = """(SELECT {aggregate} FROM (
        SELECT c.source_id, c.locator, c.note, s.title, s.url, s.publisher FROM events_citation c
        JOIN events_source s ON s.id = c.source_id
        WHERE c.event_id = e.id AND s.status = 'published' ORDER BY c.id))"""
SQLITE_QUOTES = """(SELECT count(*) FROM events_quote q
        JOIN actors_actor a ON a.id = q.speaker_id JOIN events_source s ON s.id = q.source_id
        WHERE q.event_id = e.id AND q.status = 'published' AND a.status = 'published' AND s.status = 'published')"""


def _sqlite_rows():
    def participations(aggregate):
        return SQLITE_PARTICIPATIONS.format(aggregate=aggregate)

    def citations(aggregate):
        return SQLITE_CITATIONS.format(aggregate=aggregate)

    return f"""SELECT e.id, e.slug, e.title, e.summary, e.event_type_id, t.code, substr(t.code, 1, 2), t.name,
        t.quad_class, t.score, e.start_date, e.end_date, e.date_precision, e.period_end,
        CAST(strftime('%Y', e.start_date) AS INTEGER), e.location, e.country,
        {participations("json_group_array(actor_id)")},
        {participations("json_group_array(role)")},
        {citations("json_group_array(source_id)")},
        {citations("json_group_array(json_object('source', source_id, 'title', title, 'url', url, 'publisher', publisher, 'locator', locator, 'note', note))")},
        {citations("group_concat(source_id, ';')")},
        {SQLITE_QUOTES},
        e.created_at, e.updated_at, e.search_document
    FROM events_event e JOIN events_eventtype t ON t.id = e.event_type_id
    WHERE e.status = 'published' AND EXISTS (
        SELECT 1 FROM events_citation c JOIN events_source s ON s.id = c.source_id
        WHERE c.event_id = e.id AND s.status = 'published') AND {{events:e.id}}"""


SQLITE_ROWS = _sqlite_rows()


def _restrict(sql, events, links):
    """``sql`` with its ``{events:col}`` and ``{links:col}`` placeholders replaced by
    ``events(col)`` and ``links(col)``."""
    sql = re.sub(r"\{events:([a-z_.]+)\}", lambda m: events(m.group(1)), sql)
    return re.sub(r"\{links:([a-z_.]+)\}", lambda m: links(m.group(1)), sql)


def rows_sql(vendor, events, links=None):
    """The SELECT of the public rows of the events that ``events(column)`` admits."""
    if vendor == "postgresql":
        return _restrict(PG_ROWS, events, links or events)
    return _restrict(SQLITE_ROWS, events, lambda column: "TRUE")


def fill_sql(vendor, first_id=None):
    """Insert the rows of the events from id ``first_id`` on, or of all events: for an empty
    table, or for events loaded with the triggers off (generate_demo_data)."""
    if first_id is None:
        condition = lambda column: "TRUE"  # noqa: E731
    else:
        condition = lambda column: f"{column} >= {int(first_id)}"  # noqa: E731
    return f"INSERT INTO events_publicevent ({', '.join(COLUMNS)}) {rows_sql(vendor, condition)}"


# PostgreSQL refresh functions, over an array of event ids ---------------------------------

# Before a refresh reads, it waits for the writes it must see, in statements of their own
# (READ COMMITTED then gives its reading statements a snapshot taken after them): it locks the
# events' rows (refreshes of the same event take turns) and holds, FOR SHARE, the actors their
# participants and quotes name; a link trigger also holds the entries its changed rows named
# (a deleted link is no longer there to find). An actor's change holds that actor's row from
# its UPDATE on: a refresh that reads the actor waits for it to commit, and a change of the
# actor waits for a refresh that read it. So while an actor's patch (PATCH_ACTOR) runs, no
# refresh of the rows that show it is in flight, and patches take turns among themselves.
HOLD = """PERFORM 1 FROM events_event WHERE id = ANY(ids) ORDER BY id FOR NO KEY UPDATE;
        PERFORM 1 FROM actors_actor WHERE id IN (
            SELECT actor_id FROM events_participation WHERE event_id = ANY(ids)
            UNION SELECT speaker_id FROM events_quote WHERE event_id = ANY(ids)) ORDER BY id FOR SHARE;"""


def _any_ids(column):
    return f"{column} = ANY(ids)"


# The link columns of each event, one event at a time (LATERAL): a popular actor's 79,000
# events are as many index lookups, where a grouped join read the whole table.
LINKS_OF_IDS = """SELECT i.id, COALESCE(pa.actor_ids, '{}') AS actor_ids, COALESCE(pa.roles, '{}') AS roles,
        qu.n AS quote_count
    FROM unnest(ids) AS i(id)
    CROSS JOIN LATERAL (
        SELECT array_agg(p.actor_id ORDER BY p.id) AS actor_ids, array_agg(p.role ORDER BY p.id)::text[] AS roles
        FROM events_participation p WHERE p.event_id = i.id) pa
    CROSS JOIN LATERAL (
        SELECT count(*) AS n FROM events_quote q
        JOIN actors_actor a ON a.id = q.speaker_id JOIN events_source s ON s.id = q.source_id
        WHERE q.event_id = i.id AND q.status = 'published' AND a.status = 'published' AND s.status = 'published') qu"""
# Only the rows whose values change are written.
UPDATE_LINKS = f"""UPDATE events_publicevent r SET actor_ids = x.actor_ids, roles = x.roles, quote_count = x.quote_count
    FROM ({LINKS_OF_IDS}) x
    WHERE r.id = x.id AND (r.actor_ids, r.roles, r.quote_count) IS DISTINCT FROM (x.actor_ids, x.roles, x.quote_count);"""

PATCH_LOCK = 1_407_140  # any constant: names the actor patches' advisory lock
QUOTES_OF_ROW = """SELECT count(*) FROM events_quote q
    JOIN actors_actor a ON a.id = q.speaker_id JOIN events_source s ON s.id = q.source_id
    WHERE q.event_id = r.id AND q.status = 'published' AND a.status = 'published' AND s.status = 'published'"""

# An actor's publication or withdrawal: the quotes it spoke count on their events, or no longer
# (its participations need nothing: ``actor_ids`` holds every linked actor, and who of them is
# shown is read with the page, events.selectors.with_participants). Counted again, not
# incremented: one statement may change another of the event's speakers first. Changes of
# different actors may meet on one row: they take turns on an advisory lock (nothing else
# takes it), so each counts after the other's commit; refreshes wait for the actor's row (HOLD).
PATCH_ACTOR = f"""
        IF NOT EXISTS (SELECT 1 FROM events_quote WHERE speaker_id = actor AND event_id IS NOT NULL) THEN
            RETURN;
        END IF;
        PERFORM pg_advisory_xact_lock({PATCH_LOCK});
        UPDATE events_publicevent r SET quote_count = ({QUOTES_OF_ROW})
        WHERE r.id IN (SELECT event_id FROM events_quote WHERE speaker_id = actor);"""
PG_HELPERS = [
    f"""CREATE FUNCTION events_publicevent_actor_changed(actor bigint)
        RETURNS void LANGUAGE plpgsql AS $$ BEGIN {PATCH_ACTOR} END $$""",
]

PG_FUNCTIONS = {
    "events_publicevent_refresh_rows": f"""
        IF cardinality(ids) = 0 THEN RETURN; END IF;
        {HOLD}
        DELETE FROM events_publicevent WHERE id = ANY(ids);
        INSERT INTO events_publicevent ({", ".join(COLUMNS)}) {rows_sql("postgresql", _any_ids)};""",
    "events_publicevent_refresh_links": f"""
        IF cardinality(ids) = 0 THEN RETURN; END IF;
        {HOLD}
        {UPDATE_LINKS}""",
}

# The triggers: (table, operation, the columns whose change matters on UPDATE (None: any),
# [(refresh, the event ids of a changed row ``r``)], [(table, the id ``r`` names) to hold]).
EVENTS_OF_ACTOR = (
    "SELECT event_id FROM events_participation WHERE actor_id = r.id"
    " UNION SELECT event_id FROM events_quote WHERE speaker_id = r.id AND event_id IS NOT NULL"
)
EVENTS_OF_SOURCE = "SELECT event_id FROM events_citation WHERE source_id = r.id"
QUOTED_EVENTS_OF_SOURCE = "SELECT event_id FROM events_quote WHERE source_id = r.id AND event_id IS NOT NULL"
WATCHED = {
    "events_event": (None, [("rows", "SELECT r.id")], []),
    "events_eventtype": (
        ["code", "name", "quad_class", "score"],
        [("rows", "SELECT id FROM events_event WHERE event_type_id = r.id")],
        [],
    ),
    "events_citation": (None, [("rows", "SELECT r.event_id")], [("events_source", "source_id")]),
    "events_source": (
        ["status", "title", "url", "publisher"],
        [("rows", EVENTS_OF_SOURCE), ("links", QUOTED_EVENTS_OF_SOURCE)],
        [],
    ),
    "events_participation": (None, [("links", "SELECT r.event_id")], [("actors_actor", "actor_id")]),
    "events_quote": (
        ["status", "event_id", "speaker_id", "source_id"],
        [("links", "SELECT r.event_id WHERE r.event_id IS NOT NULL")],
        [("actors_actor", "speaker_id"), ("events_source", "source_id")],
    ),
    "actors_actor": (["status"], [("links", EVENTS_OF_ACTOR)], []),
}
OPERATIONS = ("INSERT", "UPDATE", "DELETE")
TABLES = sorted(WATCHED)


def trigger_names():
    return [f"{table}_public_{operation.lower()}" for table in TABLES for operation in OPERATIONS]


def _pg_trigger(table, operation):
    changed, refreshes, held = WATCHED[table]
    name = f"{table}_public_{operation.lower()}"
    # Which versions of the changed rows name events: the new ones, the old ones, or both
    # (an update may move a link from one event to another).
    if operation == "INSERT":
        versions = ["new_rows"]
        referencing = "REFERENCING NEW TABLE AS new_rows"
    elif operation == "DELETE":
        versions = ["old_rows"]
        referencing = "REFERENCING OLD TABLE AS old_rows"
    else:
        versions = ["new_rows", "old_rows"]
        referencing = "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
    changed_rows = {}
    for version in versions:
        if operation == "UPDATE" and changed:
            other = "old_rows" if version == "new_rows" else "new_rows"
            differs = " OR ".join(f"o.{column} IS DISTINCT FROM r.{column}" for column in changed)
            changed_rows[version] = f"(SELECT r.* FROM {version} r JOIN {other} o ON o.id = r.id WHERE {differs})"
        else:
            changed_rows[version] = version
    body = []
    if table == "actors_actor" and operation == "UPDATE":
        return _pg_actor_update_trigger(name, changed_rows["new_rows"])
    # The entries the changed link rows name, old and new (a deleted or moved link's too: HOLD
    # no longer sees it, and an actor's withdrawal must wait for the delete that drops it). Only for
    # rows whose change matters: an edit of a quote's text holds no speaker (a merge holding
    # that speaker would wait for the quote, and the edit for the speaker).
    for held_table, column in held:
        named = " UNION ".join(f"SELECT r.{column} FROM {changed_rows[version]} r" for version in versions)
        body.append(f"PERFORM 1 FROM {held_table} WHERE id IN ({named}) ORDER BY id FOR SHARE;")
    for refresh, ids in refreshes:
        selects = " UNION ".join(
            f"SELECT x.event_id FROM {changed_rows[version]} r, LATERAL ({ids}) AS x(event_id)" for version in versions
        )
        body.append(
            f"PERFORM events_publicevent_refresh_{refresh}(ARRAY(SELECT DISTINCT event_id FROM ({selects}) s "
            "WHERE event_id IS NOT NULL ORDER BY 1));"
        )
    return [
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {' '.join(body)} RETURN NULL; END $$",
        f"CREATE TRIGGER {name} AFTER {operation} ON {table} {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
    ]


def _pg_actor_update_trigger(name, changed):
    # Whether it is published is what the read model keeps of an actor (in the quote counts).
    body = f"""FOR a IN SELECT n.id FROM {changed} n JOIN old_rows o ON o.id = n.id
        WHERE (o.status = 'published') <> (n.status = 'published') ORDER BY n.id
    LOOP
        PERFORM events_publicevent_actor_changed(a.id);
    END LOOP;"""
    return [
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ DECLARE a record; BEGIN {body} "
        "RETURN NULL; END $$",
        f"CREATE TRIGGER {name} AFTER UPDATE ON actors_actor REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
    ]


def _sqlite_trigger(table, operation):
    changed, refreshes, _ = WATCHED[table]
    name = f"{table}_public_{operation.lower()}"
    versions = {"INSERT": ["NEW"], "DELETE": ["OLD"], "UPDATE": ["NEW", "OLD"]}[operation]
    when = ""
    if operation == "UPDATE" and changed:
        when = " WHEN " + " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in changed)
    ids = " UNION ".join(re.sub(r"\br\.", f"{version}.", sql) for _, sql in refreshes for version in versions)
    body = (
        f"DELETE FROM events_publicevent WHERE id IN ({ids}); "
        f"INSERT INTO events_publicevent ({', '.join(COLUMNS)}) "
        f"{rows_sql('sqlite', lambda column: f'{column} IN ({ids})')};"
    )
    return [f"CREATE TRIGGER {name} AFTER {operation} ON {table} FOR EACH ROW{when} BEGIN {body} END"]


def create_triggers(vendor):
    """The statements that install the refreshes and triggers on ``vendor``."""
    statements = []
    if vendor == "postgresql":
        for name, body in PG_FUNCTIONS.items():
            statements.append(
                f"CREATE FUNCTION {name}(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$ BEGIN {body} END $$"
            )
        statements += PG_HELPERS
        for table in TABLES:
            for operation in OPERATIONS:
                statements += _pg_trigger(table, operation)
    else:
        for table in TABLES:
            for operation in OPERATIONS:
                statements += _sqlite_trigger(table, operation)
    return statements


def drop_triggers(vendor):
    if vendor == "postgresql":
        return (
            [f"DROP FUNCTION IF EXISTS {name}() CASCADE" for name in trigger_names()]
            + [f"DROP FUNCTION IF EXISTS {name}(bigint[])" for name in PG_FUNCTIONS]
            + [
                "DROP FUNCTION IF EXISTS events_publicevent_actor_changed(bigint, text, text, jsonb)",
                "DROP FUNCTION IF EXISTS events_publicevent_actor_changed(bigint, text, text, text, jsonb)",
                "DROP FUNCTION IF EXISTS events_publicevent_actor_changed(bigint)",
            ]
        )
    return [f"DROP TRIGGER IF EXISTS {name}" for name in trigger_names()]


def set_triggers_enabled(cursor, enabled):
    """Bulk loads on PostgreSQL (generate_demo_data) switch the triggers off and fill after.
    (SQLite cannot switch triggers off; there they run per row.) USER leaves the foreign key
    checks on."""
    for table in TABLES:
        cursor.execute(f"ALTER TABLE {table} {'ENABLE' if enabled else 'DISABLE'} TRIGGER USER")
