"""The public change log (``PublicChange``): what appeared on, changed on and left the public
site, kept by database triggers, read by ``/api/changes/``.

An entry leaves the public site in more ways than its own status: an event with its last
published source, a quote with its speaker or its source. None of those writes touches the
entry's own row or history, and they happen on every write path (admin, inlines, API, merges,
fixtures). So the database decides, in the same transaction as each write: for the entries
the write may concern it computes whether each is public now (by the same rules as the
querysets' ``published()``; a test compares the two), compares with the entry's latest row in
the log, and appends

- ``created`` when an entry becomes public (again), under its identifier;
- ``withdrawn`` when it stops being public, or its public identifier changes (a renamed
  slug), under the identifier the public last saw;
- ``updated`` when a public entry's own row or its link rows (participants, citations,
  aliases, affiliations) change.

On PostgreSQL each trigger first locks the entries it is about to judge (and holds what a new
row names, FOR SHARE), in id order: two transactions that each withdraw one of an event's two
sources are judged one after the other, so the second sees the first's withdrawal and the event
is logged as gone (without the lock each saw the other's source still published).

On SQLite, a migration that rebuilds one of these tables drops its triggers: it must run
``create_triggers`` again (a test checks that every trigger is installed).
"""

PUBLIC = {
    "event": "{x}.status = 'published' AND EXISTS (SELECT 1 FROM events_citation c JOIN events_source s "
    "ON s.id = c.source_id WHERE c.event_id = {x}.id AND s.status = 'published')",
    "actor": "{x}.status = 'published'",
    "quote": "{x}.status = 'published'"
    " AND EXISTS (SELECT 1 FROM actors_actor a WHERE a.id = {x}.speaker_id AND a.status = 'published')"
    " AND EXISTS (SELECT 1 FROM events_source s WHERE s.id = {x}.source_id AND s.status = 'published')",
    "source": "{x}.status = 'published'",
}
TABLE = {"event": "events_event", "actor": "actors_actor", "quote": "events_quote", "source": "events_source"}
IDENTIFIER = {
    "event": "{x}.slug",
    "actor": "{x}.slug",
    "quote": "CAST({x}.id AS TEXT)",
    "source": "CAST({x}.id AS TEXT)",
}
# The time of the write itself (clock_timestamp(), not the transaction's start: a client asks
# for what changed after a time it read from its own clock). SQLite keeps times as text in
# Django's format, str(datetime), with microseconds when they are not zero; its clock gives
# milliseconds, written so that rows compare and page by time as Django's own do.
NOW = {
    "postgresql": "clock_timestamp()",
    "sqlite": "CASE WHEN strftime('%f', 'now') LIKE '%.000' THEN strftime('%Y-%m-%d %H:%M:%S', 'now') "
    "ELSE strftime('%Y-%m-%d %H:%M:%f', 'now') || '000' END",
}

QUOTES_OF_SPEAKER = "SELECT id FROM events_quote WHERE speaker_id = NEW.id"
QUOTES_OF_SOURCE = "SELECT id FROM events_quote WHERE source_id = NEW.id"
EVENTS_OF_SOURCE = "SELECT event_id FROM events_citation WHERE source_id = NEW.id"
# What else a status change concerns (one trigger per table and timing: the two databases fire
# several in different orders, and the log's order is part of what a client reads).
STATUS_CHANGED = " AND OLD.status <> NEW.status"

# (name, table, timing, condition, the entries to judge: (resource, ids, whether the write
# changed what the public sees of them), rows the write names and the judgement reads)
TRIGGERS = [
    ("events_changes_event_ins", "events_event", "AFTER INSERT", "", [("event", "NEW.id", False)], []),
    ("events_changes_event_upd", "events_event", "AFTER UPDATE", "", [("event", "NEW.id", True)], []),
    ("events_changes_actor_ins", "actors_actor", "AFTER INSERT", "", [("actor", "NEW.id", False), ("quote", QUOTES_OF_SPEAKER, False)], []),
    ("events_changes_actor_upd", "actors_actor", "AFTER UPDATE", "", [("actor", "NEW.id", True), ("quote", QUOTES_OF_SPEAKER + STATUS_CHANGED, False)], []),
    ("events_changes_source_ins", "events_source", "AFTER INSERT", "", [("source", "NEW.id", False), ("event", EVENTS_OF_SOURCE, False), ("quote", QUOTES_OF_SOURCE, False)], []),
    ("events_changes_source_upd", "events_source", "AFTER UPDATE", "", [("source", "NEW.id", True), ("event", EVENTS_OF_SOURCE + STATUS_CHANGED, False), ("quote", QUOTES_OF_SOURCE + STATUS_CHANGED, False)], []),
    ("events_changes_quote_ins", "events_quote", "AFTER INSERT", "", [("quote", "NEW.id", False)], [("actors_actor", "speaker_id"), ("events_source", "source_id")]),
    ("events_changes_quote_upd", "events_quote", "AFTER UPDATE", "", [("quote", "NEW.id", True)], [("actors_actor", "speaker_id"), ("events_source", "source_id")]),
    ("events_changes_citation_ins", "events_citation", "AFTER INSERT", "", [("event", "NEW.event_id", True)], [("events_source", "source_id")]),
    ("events_changes_citation_del", "events_citation", "AFTER DELETE", "", [("event", "OLD.event_id", True)], []),
    ("events_changes_citation_upd", "events_citation", "AFTER UPDATE", "", [("event", "OLD.event_id, NEW.event_id", True)], [("events_source", "source_id")]),
    ("events_changes_participation_ins", "events_participation", "AFTER INSERT", "", [("event", "NEW.event_id", True)], []),
    ("events_changes_participation_del", "events_participation", "AFTER DELETE", "", [("event", "OLD.event_id", True)], []),
    ("events_changes_participation_upd", "events_participation", "AFTER UPDATE", "", [("event", "OLD.event_id, NEW.event_id", True)], []),
    ("events_changes_alias_ins", "actors_actoralias", "AFTER INSERT", "", [("actor", "NEW.actor_id", True)], []),
    ("events_changes_alias_del", "actors_actoralias", "AFTER DELETE", "", [("actor", "OLD.actor_id", True)], []),
    ("events_changes_alias_upd", "actors_actoralias", "AFTER UPDATE", "", [("actor", "OLD.actor_id, NEW.actor_id", True)], []),
    ("events_changes_affiliation_ins", "actors_affiliation", "AFTER INSERT", "", [("actor", "NEW.person_id", True)], []),
    ("events_changes_affiliation_del", "actors_affiliation", "AFTER DELETE", "", [("actor", "OLD.person_id", True)], []),
    ("events_changes_affiliation_upd", "actors_affiliation", "AFTER UPDATE", "", [("actor", "OLD.person_id, NEW.person_id", True)], []),
]  # fmt: skip
# A deleted entry that was public is gone under the identifier the public last saw.
DELETES = [(f"events_changes_{resource}_del", TABLE[resource], resource) for resource in TABLE]
TABLES = sorted({table for _, table, *_ in TRIGGERS})


def _latest(resource, entry, column):
    return (
        f"(SELECT l.{column} FROM events_publicchange l WHERE l.resource = '{resource}' "
        f"AND l.entry_id = {entry} ORDER BY l.id DESC LIMIT 1)"
    )


def _was_public(resource, entry):
    return f"COALESCE({_latest(resource, entry, 'change')} <> 'withdrawn', FALSE)"


# The three changes a judgement may log, in the order it logs them. A new identifier (a renamed
# slug) is withdrawn under the old one and created under the new one.
STEPS = "SELECT 1 AS step, 'updated' AS change UNION ALL SELECT 2, 'withdrawn' UNION ALL SELECT 3, 'created'"


def judge_sql(vendor, resource, in_ids, touched):
    """The statement that logs what changed for the entries of ``resource`` whose id matches
    ``in_ids`` (over ``x.id``): updated (if ``touched``), then withdrawn, then created, each in
    id order. One statement over the entries, each condition reading the entry's latest log row
    as it needs it: judged in three statements, each scanning and checking every entry again, an
    actor's withdrawal spent 1.4 s on its 27,000 quotes (bench/README.md)."""
    public = PUBLIC[resource].format(x="x")
    identifier = IDENTIFIER[resource].format(x="x")
    was_public = "COALESCE(j.last_change <> 'withdrawn', FALSE)"
    logged = {
        "updated": f"{'TRUE' if touched else 'FALSE'} AND j.public AND {was_public} AND j.last = j.current",
        "withdrawn": f"{was_public} AND (NOT j.public OR j.last <> j.current)",
        "created": f"j.public AND (NOT {was_public} OR j.last <> j.current)",
    }
    return (
        "INSERT INTO events_publicchange (resource, entry_id, identifier, change, at) "
        f"SELECT '{resource}', j.id, CASE s.change WHEN 'withdrawn' THEN j.last ELSE j.current END, s.change, "
        f"{NOW[vendor]} FROM (SELECT x.id, {identifier} AS current, {public} AS public, "
        f"{_latest(resource, 'x.id', 'change')} AS last_change, {_latest(resource, 'x.id', 'identifier')} AS last "
        f"FROM {TABLE[resource]} x WHERE {in_ids}) j, ({STEPS}) s "
        "WHERE CASE s.change "
        + " ".join(f"WHEN '{change}' THEN {condition}" for change, condition in logged.items())
        + " END ORDER BY s.step, j.id"
    )


def gone_sql(vendor, resource):
    """A deleted entry (OLD) that the log lists as public: withdrawn under its last identifier."""
    return (
        "INSERT INTO events_publicchange (resource, entry_id, identifier, change, at) "
        f"SELECT '{resource}', OLD.id, {_latest(resource, 'OLD.id', 'identifier')}, 'withdrawn', {NOW[vendor]} "
        f"WHERE {_was_public(resource, 'OLD.id')}"
    )


def fill_sql(vendor, resource, where="TRUE"):
    """Log every public entry of ``resource`` matching ``where`` (over ``x``) as created when it
    was last changed: the log's start on a database that had entries before it (the migration,
    a bulk load with the triggers off)."""
    public = PUBLIC[resource].format(x="x")
    identifier = IDENTIFIER[resource].format(x="x")
    return (
        "INSERT INTO events_publicchange (resource, entry_id, identifier, change, at) "
        f"SELECT '{resource}', x.id, {identifier}, 'created', x.updated_at FROM {TABLE[resource]} x "
        f"WHERE {public} AND {where} ORDER BY x.updated_at, x.id"
    )


def _postgresql_function(name, timing, judged, referenced):
    body = ["DECLARE ids bigint[]; BEGIN"]
    for table, column in referenced:
        hold = f"PERFORM 1 FROM {table} WHERE id = NEW.{column} FOR SHARE;"
        # An update holds them only when it points elsewhere: a plain edit of a quote (its row
        # locked by the version check) must not then wait for its speaker, which a merge or a
        # withdrawal holds while it waits for the quote (a deadlock). Their status changes are
        # judged by the actor's or source's trigger, after it holds this row.
        if timing == "AFTER UPDATE":
            hold = f"IF NEW.{column} IS DISTINCT FROM OLD.{column} THEN {hold} END IF;"
        body.append(hold)
    for resource, ids, touched in judged:
        array = f"ARRAY({ids})" if ids.startswith("SELECT") else f"ARRAY[{ids}]::bigint[]"
        body.append(f"ids := {array};")
        # Each statement below takes its snapshot after this lock is held: it sees what a
        # transaction that held these entries committed.
        body.append(f"PERFORM 1 FROM {TABLE[resource]} WHERE id = ANY(ids) ORDER BY id FOR NO KEY UPDATE;")
        body.append(judge_sql("postgresql", resource, "x.id = ANY(ids)", touched) + ";")
    body.append("RETURN NULL; END")
    return f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ {' '.join(body)} $$"


def create_triggers(vendor):
    """The statements that install the log's triggers on ``vendor``."""
    statements = []
    for name, table, timing, condition, judged, referenced in TRIGGERS:
        if vendor == "postgresql":
            when = f" WHEN ({condition})" if condition else ""
            statements += [
                _postgresql_function(name, timing, judged, referenced),
                f"CREATE TRIGGER {name} {timing} ON {table} FOR EACH ROW{when} EXECUTE FUNCTION {name}()",
            ]
        else:
            when = f" WHEN {condition}" if condition else ""
            body = [judge_sql(vendor, resource, f"x.id IN ({ids})", touched) for resource, ids, touched in judged]
            statements.append(
                f"CREATE TRIGGER {name} {timing} ON {table} FOR EACH ROW{when} BEGIN {'; '.join(body)}; END"
            )
    for name, table, resource in DELETES:
        if vendor == "postgresql":
            statements += [
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"{gone_sql(vendor, resource)}; RETURN NULL; END $$",
                f"CREATE TRIGGER {name} AFTER DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()",
            ]
        else:
            statements.append(
                f"CREATE TRIGGER {name} AFTER DELETE ON {table} FOR EACH ROW BEGIN {gone_sql(vendor, resource)}; END"
            )
    return statements


def trigger_names():
    return [name for name, *_ in TRIGGERS] + [name for name, *_ in DELETES]


def drop_triggers(vendor):
    if vendor == "postgresql":
        return [f"DROP FUNCTION IF EXISTS {name}() CASCADE" for name in trigger_names()]
    return [f"DROP TRIGGER IF EXISTS {name}" for name in trigger_names()]
