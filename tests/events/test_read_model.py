"""The public read model (PublicEvent, events/read_model.py): kept by database triggers, it must
hold exactly one row per public event with exactly what the normalized tables say, after every
kind of write, and never a draft's."""

import json
from collections import Counter

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actors.models import Actor
from core import workflow
from core.publishing import Status
from events import read_model, selectors, services
from events.models import Citation, Event, EventType, Participation, PublicEvent, Quote, Source
from tests.factories import (
    ActorFactory,
    CitationFactory,
    EventFactory,
    ParticipationFactory,
    QuoteFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


def computed():
    """The public rows the slow way: ``Event.objects.published()`` and the other querysets'
    ``published()``, row by row."""
    quotes = Counter(Quote.objects.published().exclude(event=None).values_list("event_id", flat=True))
    documents = dict(Event.objects.values_list("pk", "search_document"))
    rows = {}
    for event in Event.objects.published().select_related("event_type"):
        # The actor filter's ids: every linked actor, whatever its status (it admits published
        # actors only); what is shown: the published ones.
        linked = list(Participation.objects.filter(event=event).order_by("id").values_list("actor_id", "role"))
        participations = list(
            Participation.objects.filter(event=event, actor__status=Status.PUBLISHED)
            .select_related("actor")
            .order_by("id")
        )
        citations = list(
            Citation.objects.filter(event=event, source__status=Status.PUBLISHED)
            .select_related("source")
            .order_by("id")
        )
        kind = event.event_type
        rows[event.pk] = {
            "id": event.pk,
            "slug": event.slug,
            "title": event.title,
            "summary": event.summary,
            "event_type_id": kind.pk,
            "type_code": kind.code,
            "type_root": kind.code[:2],
            "type_name": kind.name,
            "quad_class": kind.quad_class,
            "score": kind.score,
            "start_date": event.start_date,
            "end_date": event.end_date,
            "date_precision": event.date_precision,
            "period_end": event.period_end,
            "year": event.start_date.year,
            "location": event.location,
            "country": event.country,
            "actor_ids": [actor for actor, _ in linked],
            "roles": [role for _, role in linked],
            "participants": [
                {"id": p.actor_id, "actor": p.actor.slug, "name": p.actor.name, "kind": p.actor.kind, "role": p.role}
                for p in participations
            ],
            "participant_list": ";".join(f"{p.actor.slug}:{p.role}" for p in participations),
            "source_ids": [c.source_id for c in citations],
            "sources": [
                {
                    "source": c.source_id,
                    "title": c.source.title,
                    "url": c.source.url,
                    "publisher": c.source.publisher,
                    "locator": c.locator,
                    "note": c.note,
                }
                for c in citations
            ],
            "source_list": ";".join(str(c.source_id) for c in citations),
            "quote_count": quotes[event.pk],
            "created_at": event.created_at,
            "updated_at": event.updated_at,
            "search_document": documents[event.pk],
        }
    return rows


def stored():
    """The rows as the public reads them: the stored columns, the participants shown with a page
    (``selectors.with_participants``) and the CSV export's list (``selectors.ParticipantList``)."""
    rows = {row["id"]: row for row in PublicEvent.objects.values(*read_model.COLUMNS)}
    lists = dict(PublicEvent.objects.values_list("pk", selectors.ParticipantList()))
    for row in selectors.with_participants(PublicEvent.objects.all()):
        rows[row.pk].update(participants=row.participants, participant_list=lists[row.pk])
    return rows


def assert_read_model_is_right(step=""):
    expected, actual = computed(), stored()
    assert set(actual) == set(expected), f"{step}: events {sorted(actual)} stored, {sorted(expected)} public"
    for pk, row in expected.items():
        differing = {name: (actual[pk][name], value) for name, value in row.items() if actual[pk][name] != value}
        assert not differing, f"{step}: event {pk}: stored, expected: {differing}"


def test_every_write_that_changes_what_the_public_sees_of_an_event_updates_its_row(editor):
    # The draft that could leak comes first: an unpublished event with a published source.
    hidden = EventFactory(slug="hidden", status=Status.DRAFT)
    putin, xi, draft_actor = ActorFactory(slug="putin"), ActorFactory(slug="xi"), ActorFactory(status=Status.DRAFT)
    summit, talks = EventFactory(slug="summit"), EventFactory(slug="talks", cited=False)
    steps = []

    def check(step):
        steps.append(step)
        assert_read_model_is_right(" → ".join(steps))

    check("events created")
    assert set(stored()) == {summit.pk}
    assert hidden.pk not in stored()
    first = ParticipationFactory(event=summit, actor=putin, role="initiator")
    ParticipationFactory(event=summit, actor=xi, role="host")
    ParticipationFactory(event=summit, actor=draft_actor)
    check("participants added")
    assert stored()[summit.pk]["participant_list"] == "putin:initiator;xi:host"
    first.role = "target"
    first.save()
    check("a role changed")
    first.event = talks
    first.save()
    check("a participation moved to another event")
    xi.slug, xi.name = "xi-jinping", "Xi Jinping"
    xi.save()
    check("an actor renamed")
    workflow.publish(obj=draft_actor, user=editor)
    check("a draft actor published")
    workflow.withdraw(obj=putin, user=editor)
    check("an actor withdrawn")
    source, draft_source = SourceFactory(), SourceFactory(status=Status.DRAFT)
    citation = CitationFactory(event=talks, source=source)
    CitationFactory(event=talks, source=draft_source)
    check("citations added: talks is public")
    assert talks.pk in stored()
    workflow.publish(obj=draft_source, user=editor)
    check("a draft source published")
    workflow.withdraw(obj=source, user=editor)
    check("a source withdrawn")
    source.title = "Renamed"
    source.save()
    check("a withdrawn source renamed")
    draft_source.title, draft_source.url = "New title", "https://example.org/new"
    draft_source.save()
    check("a cited source retitled")
    citation.delete()
    check("a citation deleted")
    quote = QuoteFactory(event=summit, speaker=xi)
    QuoteFactory(event=summit, status=Status.DRAFT)
    QuoteFactory(event=summit, speaker=draft_actor)
    check("quotes added")
    workflow.withdraw(obj=quote, user=editor)
    check("a quote withdrawn")
    quote.event = talks
    quote.status = Status.PUBLISHED
    quote.save()
    check("a quote moved to another event and republished")
    workflow.withdraw(obj=xi, user=editor)
    check("a speaker withdrawn")
    Quote.objects.filter(pk=quote.pk).delete()
    check("a quote deleted")
    survivor = ActorFactory(slug="survivor")
    services.merge_actors(survivor=survivor, duplicate=draft_actor, user=editor)
    check("actors merged")
    kind = summit.event_type
    kind.name, kind.score = "Renamed type", -3
    kind.save()
    check("an event type renamed and rescored")
    summit.title, summit.summary, summit.country = "Summit in Beijing", "Leaders met.", "CN"
    summit.save()
    check("an event edited")
    workflow.withdraw(obj=summit, user=editor)
    check("an event withdrawn")
    Event.objects.filter(pk=summit.pk).update(status=Status.PUBLISHED)
    check("an event republished by queryset update")
    Participation.objects.filter(event=summit).delete()
    check("participations deleted in bulk")
    Quote.objects.filter(event=summit).update(event=None)
    summit.delete()
    check("an event deleted")
    assert summit.pk not in stored()


def test_bulk_status_changes_by_queryset_update_reach_the_stored_rows():
    # The admin's bulk actions and raw SQL bypass save(): the triggers still see them.
    actors = [ActorFactory() for _ in range(3)]
    for actor in actors:
        ParticipationFactory(actor=actor, event=EventFactory())
    Actor.objects.filter(pk__in=[a.pk for a in actors]).update(status=Status.WITHDRAWN)
    assert_read_model_is_right()
    assert len(stored()) == 3
    assert all(row["participants"] == [] and row["participant_list"] == "" for row in stored().values())


def test_a_fixture_that_loads_links_before_what_they_link_still_gets_the_right_row(tmp_path):
    # loaddata keeps the file's order, and foreign keys are checked at commit: the inserted
    # event, actor and source recompute the rows that name them.
    from django.core.management import call_command

    stamps = {"created_at": "2022-02-04T12:00:00Z", "updated_at": "2022-02-04T12:00:00Z", "status": "published"}
    fixture = tmp_path / "reversed.json"
    fixture.write_text(
        json.dumps(
            [
                {"model": "events.participation", "pk": 900, "fields": {"event": 900, "actor": 900, "role": "host"}},
                {"model": "events.citation", "pk": 900, "fields": {"event": 900, "source": 900}},
                {"model": "events.quote", "pk": 900, "fields": {"text": "Late", "speaker": 900, "source": 900,
                                                                "event": 900, **stamps}},
                {"model": "events.event", "pk": 900, "fields": {"title": "Loaded", "slug": "loaded", **stamps,
                    "event_type": EventType.objects.get(code="04").pk, "start_date": "2022-02-04"}},
                {"model": "actors.actor", "pk": 900, "fields": {"name": "Loaded", "slug": "loaded-actor",
                                                                "kind": "person", **stamps}},
                {"model": "events.source", "pk": 900, "fields": {"title": "Loaded source", **stamps}},
            ]
        )
    )  # fmt: skip
    call_command("loaddata", str(fixture), verbosity=0)
    row = stored()[900]
    assert (row["participant_list"], row["source_list"], row["quote_count"]) == ("loaded-actor:host", "900", 1)
    assert_read_model_is_right()


def installed_triggers(like):
    """The names of the enabled triggers matching the LIKE pattern ``like``, on either database."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE %s AND tgenabled = 'O'", [like])
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s", [like])
        return {name for (name,) in cursor.fetchall()}


def test_every_read_model_trigger_is_installed_after_all_migrations():
    # On SQLite a later migration that alters one of the watched tables rebuilds it, and the
    # rebuild drops its triggers without a word: such a migration must install them again
    # (read_model.create_triggers), and this test says when one did not.
    installed = installed_triggers("%_public_%")
    assert set(read_model.trigger_names()) <= installed
    # The summary's triggers of migration 0007 are gone with their table.
    assert not {name for name in installed if name.startswith("events_export_")}


def interleaved(holding, waiting):
    """Two transactions on PostgreSQL: ``holding`` (SQL and parameters) runs and stays open;
    ``waiting`` runs in another, in a thread, and must still be waiting half a second later;
    then the first commits and the second goes on and commits."""
    import threading
    import time

    import psycopg

    from tests.relations_site.test_availability import dsn

    with psycopg.connect(dsn()) as first, psycopg.connect(dsn()) as second:
        first.execute(*holding)

        def run():
            second.execute(*waiting)
            second.commit()

        thread = threading.Thread(target=run)
        thread.start()
        time.sleep(0.5)
        assert thread.is_alive(), "the second transaction's trigger waits for the first"
        first.commit()
        thread.join(10)


on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer at a time")


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_write_that_waited_for_a_concurrent_one_sees_what_it_committed(event_types):
    # One transaction withdraws a source, and so holds the event; another adds a
    # citation to the same event and waits for that row. When it goes on, its recount must
    # see the withdrawal, not the snapshot from before it waited.
    withdrawn, added = SourceFactory(), SourceFactory()
    event = EventFactory(cited=False)
    CitationFactory(event=event, source=withdrawn)
    interleaved(
        ("UPDATE events_source SET status = 'withdrawn' WHERE id = %s", [withdrawn.pk]),
        (
            "INSERT INTO events_citation (event_id, source_id, locator, note) VALUES (%s, %s, '', '')",
            [event.pk, added.pk],
        ),
    )
    assert stored()[event.pk]["source_ids"] == [added.pk]
    assert_read_model_is_right()


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_participant_added_while_its_actor_is_withdrawn_is_counted_after_the_withdrawal(event_types):
    # Neither trigger can see the other's row: the withdrawal's does not know the new
    # participation, and the participation's must not count the actor as still published. It
    # waits for the withdrawal to commit (it holds the actor FOR SHARE) and counts after it.
    # (The participation's own event must be public for its row to exist.)
    actor, event = ActorFactory(slug="leaving"), EventFactory()
    interleaved(
        ("UPDATE actors_actor SET status = 'withdrawn' WHERE id = %s", [actor.pk]),
        ("INSERT INTO events_participation (event_id, actor_id, role) VALUES (%s, %s, 'host')", [event.pk, actor.pk]),
    )
    assert stored()[event.pk]["participants"] == []
    assert_read_model_is_right()


# Random sequences of writes --------------------------------------------------------------

STATUSES = st.sampled_from([Status.DRAFT, Status.REVIEW, Status.PUBLISHED, Status.WITHDRAWN])
ENTRY = st.integers(0, 2)
ROLES = st.sampled_from(["initiator", "target", "participant", "host"])
WRITES = st.one_of(
    st.tuples(st.just("event status"), ENTRY, STATUSES),
    st.tuples(st.just("actor status"), ENTRY, STATUSES),
    st.tuples(st.just("source status"), ENTRY, STATUSES),
    st.tuples(st.just("quote status"), ENTRY, STATUSES),
    st.tuples(st.just("link"), ENTRY, ENTRY, ROLES),
    st.tuples(st.just("unlink"), ENTRY, ENTRY),
    st.tuples(st.just("cite"), ENTRY, ENTRY),
    st.tuples(st.just("uncite"), ENTRY, ENTRY),
    st.tuples(st.just("move quote"), ENTRY, st.one_of(st.none(), ENTRY)),
    st.tuples(st.just("edit event"), ENTRY, st.sampled_from(["01", "04", "042", "19"]), st.sampled_from(["", "RU"])),
    st.tuples(st.just("rename actor"), ENTRY, st.integers(0, 99)),
    st.tuples(st.just("retitle source"), ENTRY, st.integers(0, 99)),
    st.tuples(st.just("merge"), ENTRY, ENTRY),
    st.tuples(st.just("delete event"), ENTRY),
    st.tuples(st.just("create event"), STATUSES, ENTRY),
)


def apply(write, world, user):
    kind, *args = write
    events, actors, sources, quotes = world["events"], world["actors"], world["sources"], world["quotes"]
    model_of = {"event": Event, "actor": Actor, "source": Source, "quote": Quote}
    if kind.endswith(" status"):
        entry, status = args
        pool = {"event": events, "actor": actors, "source": sources, "quote": quotes}[kind.split()[0]]
        if pool[entry] is not None:
            model_of[kind.split()[0]].objects.filter(pk=pool[entry]).update(status=status)
    elif kind == "link" and events[args[0]]:
        Participation.objects.get_or_create(event_id=events[args[0]], actor_id=actors[args[1]], role=args[2])
    elif kind == "unlink":
        Participation.objects.filter(event_id=events[args[0]], actor_id=actors[args[1]]).delete()
    elif kind == "cite" and events[args[0]]:
        Citation.objects.get_or_create(event_id=events[args[0]], source_id=sources[args[1]])
    elif kind == "uncite":
        Citation.objects.filter(event_id=events[args[0]], source_id=sources[args[1]]).delete()
    elif kind == "move quote":
        Quote.objects.filter(pk=quotes[args[0]]).update(event_id=events[args[1]] if args[1] is not None else None)
    elif kind == "edit event" and events[args[0]]:
        event = Event.objects.get(pk=events[args[0]])
        event.event_type, event.country = EventType.objects.get(code=args[1]), args[2]
        event.title = f"{event.title[:20]} edited"
        event.save()
    elif kind == "rename actor":
        Actor.objects.filter(pk=actors[args[0]]).update(slug=f"actor-{args[1]}-{args[0]}", name=f"Actor {args[1]}")
    elif kind == "retitle source":
        Source.objects.filter(pk=sources[args[0]]).update(title=f"Source {args[1]}")
    elif kind == "merge":
        survivor, duplicate = Actor.objects.get(pk=actors[args[0]]), Actor.objects.get(pk=actors[args[1]])
        try:
            services.merge_actors(survivor=survivor, duplicate=duplicate, user=user)
        except workflow.TransitionError:
            pass  # refused (itself, already merged…): nothing changed
    elif kind == "delete event" and events[args[0]]:
        Quote.objects.filter(event_id=events[args[0]]).update(event=None)
        Event.objects.filter(pk=events[args[0]]).delete()
        events[args[0]] = None
    elif kind == "create event":
        status, slot = args
        event = EventFactory(status=status, cited=False)
        Citation.objects.create(event=event, source_id=sources[slot])
        events[slot] = event.pk


@settings(max_examples=75, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(writes=st.lists(WRITES, min_size=1, max_size=12))
def test_the_read_model_equals_the_normalized_tables_after_any_sequence_of_writes(writes, editor):
    with transaction.atomic():
        # A draft event citing a published source first: the row that must never appear.
        actors = [ActorFactory().pk, ActorFactory(status=Status.DRAFT).pk, ActorFactory().pk]
        sources = [SourceFactory().pk, SourceFactory().pk, SourceFactory(status=Status.REVIEW).pk]
        events = [EventFactory(status=Status.DRAFT, cited=False), EventFactory(cited=False), EventFactory(cited=False)]
        for n, event in enumerate(events):
            Citation.objects.create(event=event, source_id=sources[n])
            Participation.objects.create(event=event, actor_id=actors[n], role="participant")
        quotes = [QuoteFactory(event=events[n], speaker_id=actors[n], source_id=sources[0]).pk for n in range(3)]
        world = {"events": [event.pk for event in events], "actors": actors, "sources": sources, "quotes": quotes}
        assert_read_model_is_right("set up")
        for n, write in enumerate(writes):
            apply(write, world, editor)
            assert_read_model_is_right(f"after {writes[: n + 1]}")
        transaction.set_rollback(True)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_speakers_withdrawn_at_once_from_one_event_both_leave_its_row(event_types):
    # Each withdrawal counts the quotes of the events its actor spoke on again: the second
    # waits for the first (the advisory lock), then counts without the first's quotes too.
    first, second, stays = ActorFactory(slug="first"), ActorFactory(slug="second"), ActorFactory(slug="stays")
    event = EventFactory()
    for actor in (first, second, stays):
        ParticipationFactory(event=event, actor=actor)
        QuoteFactory(event=event, speaker=actor)
    assert stored()[event.pk]["quote_count"] == 3
    interleaved(
        ("UPDATE actors_actor SET status = 'withdrawn' WHERE id = %s", [first.pk]),
        ("UPDATE actors_actor SET status = 'withdrawn' WHERE id = %s", [second.pk]),
    )
    assert stored()[event.pk]["participant_list"] == "stays:participant"
    assert stored()[event.pk]["quote_count"] == 1
    assert_read_model_is_right()


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_rename_while_a_source_change_rebuilds_the_row_is_not_lost(event_types):
    # The source's change rebuilds the event's row (it holds the event and its actors); the
    # rename waits for it and then patches the rebuilt row.
    actor, source = ActorFactory(slug="old-name"), SourceFactory()
    event = EventFactory(cited=False)
    CitationFactory(event=event, source=source)
    ParticipationFactory(event=event, actor=actor, role="host")
    interleaved(
        ("UPDATE events_source SET title = 'Retitled' WHERE id = %s", [source.pk]),
        ("UPDATE actors_actor SET slug = 'new-name' WHERE id = %s", [actor.pk]),
    )
    assert stored()[event.pk]["participant_list"] == "new-name:host"
    assert_read_model_is_right()


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_an_actor_published_while_an_editor_holds_one_of_its_events_neither_deadlocks_nor_goes_stale(event_types):
    # An editor's save locks the event first (the version check), then writes it, and the
    # write's refresh holds the event's actors. An actor published meanwhile must not wait for
    # the event's lock while holding the actor: the two would wait for each other.
    import threading

    import psycopg

    from tests.relations_site.test_availability import dsn

    actor = ActorFactory(slug="returning", status=Status.WITHDRAWN)
    event = EventFactory()
    ParticipationFactory(event=event, actor=actor, role="host")
    with psycopg.connect(dsn()) as editor, psycopg.connect(dsn()) as publisher:
        editor.execute("SELECT 1 FROM events_event WHERE id = %s FOR UPDATE", [event.pk])
        outcome = {}

        def publish():
            try:
                publisher.execute("UPDATE actors_actor SET status = 'published' WHERE id = %s", [actor.pk])
                publisher.commit()
                outcome["done"] = True
            except psycopg.Error as error:  # a deadlock, once the editor writes
                outcome["error"] = error

        thread = threading.Thread(target=publish)
        thread.start()
        thread.join(3)
        published_while_held = not thread.is_alive()
        editor.execute("UPDATE events_event SET title = 'Edited' WHERE id = %s", [event.pk])
        editor.commit()
        thread.join(10)
    assert published_while_held and outcome == {"done": True}, outcome
    assert stored()[event.pk]["participant_list"] == "returning:host"
    assert_read_model_is_right()


# Found by review, each failing before its fix.


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_rename_while_its_participation_is_deleted_does_not_bring_it_back(event_types):
    # The delete's refresh cannot find the actor it removes through the links any more: its
    # trigger holds it, so the rename waits and then patches the row without it.
    renamed, stays = ActorFactory(slug="old-a"), ActorFactory(slug="bee")
    event = EventFactory()
    link = ParticipationFactory(event=event, actor=renamed, role="host")
    ParticipationFactory(event=event, actor=stays, role="target")
    interleaved(
        ("DELETE FROM events_participation WHERE id = %s", [link.pk]),
        ("UPDATE actors_actor SET slug = 'new-a' WHERE id = %s", [renamed.pk]),
    )
    assert stored()[event.pk]["participant_list"] == "bee:target"
    assert_read_model_is_right()


@on_postgresql
def test_one_statement_that_publishes_one_speaker_and_withdraws_another_counts_once(event_types):
    draft, speaker = ActorFactory(slug="bee", status=Status.DRAFT), ActorFactory(slug="speaker")
    event = EventFactory()
    ParticipationFactory(event=event, actor=draft)
    QuoteFactory(event=event, speaker=speaker)
    QuoteFactory(event=event)
    draft.status, speaker.status = Status.PUBLISHED, Status.WITHDRAWN
    Actor.objects.bulk_update([speaker, draft], ["status"])
    assert stored()[event.pk]["quote_count"] == 1
    assert_read_model_is_right()


def test_a_withdrawn_slug_is_matched_whole_not_as_a_pattern(event_types):
    # Slugs are validated by forms, not by the database: "a.b" must not take "axb" with it.
    dotted, other = ActorFactory(slug="a.b"), ActorFactory(slug="axb")
    event = EventFactory()
    ParticipationFactory(event=event, actor=dotted, role="host")
    ParticipationFactory(event=event, actor=other, role="target")
    Actor.objects.filter(pk=dotted.pk).update(status=Status.WITHDRAWN)
    assert stored()[event.pk]["participant_list"] == "axb:target"
    assert_read_model_is_right()


@on_postgresql
def test_an_actors_rename_rewrites_no_row_and_its_withdrawal_only_the_rows_it_spoke_on(event_types):
    # Why the rows keep ids and roles, not names (events/read_model.py): a popular actor is
    # linked to 60,000 events, whose rows a rename or withdrawal used to rewrite (seconds).
    actor, other = ActorFactory(slug="popular"), ActorFactory(slug="other")
    linked, spoken_on, unrelated = EventFactory(), EventFactory(), EventFactory()
    for event in (linked, spoken_on):
        ParticipationFactory(event=event, actor=actor, role="host")
    ParticipationFactory(event=unrelated, actor=other)
    QuoteFactory(event=spoken_on, speaker=actor)

    def versions():
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, xmin::text FROM events_publicevent")
            return dict(cursor.fetchall())

    before = versions()
    Actor.objects.filter(pk=actor.pk).update(name="Renamed", slug="renamed")
    assert versions() == before
    assert stored()[linked.pk]["participants"][0]["actor"] == "renamed"
    Actor.objects.filter(pk=actor.pk).update(status=Status.WITHDRAWN)
    after = versions()
    assert {pk for pk in before if after[pk] != before[pk]} == {spoken_on.pk}
    assert (stored()[linked.pk]["participants"], stored()[spoken_on.pk]["quote_count"]) == ([], 0)
    assert_read_model_is_right()
