"""EventSummary: the stored export values of every event, kept by database triggers, must equal
what the querysets compute, after every kind of write that can change them."""

import json

import pytest
from django.db import connection
from django.db.models import Count, OuterRef, Subquery

from core import workflow
from core.publishing import Status
from events import services
from events.models import Citation, Event, EventSummary, EventType, Participation, Quote
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
    """Each event's values the slow way, from the ORM and published()."""
    rows = {}
    for event in Event.objects.annotate(
        n=Subquery(
            Quote.objects.published()
            .filter(event=OuterRef("pk"))
            .order_by()
            .values("event")
            .annotate(n=Count("pk"))
            .values("n")
        )
    ):
        participants = Participation.objects.filter(event=event, actor__status=Status.PUBLISHED).order_by("id")
        citations = Citation.objects.filter(event=event, source__status=Status.PUBLISHED).order_by("id")
        rows[event.pk] = (
            ";".join(f"{p.actor.slug}:{p.role}" for p in participants),
            ";".join(str(c.source_id) for c in citations),
            event.n or 0,
        )
    return rows


def stored():
    return {row.event_id: (row.participants, row.sources, row.quote_count) for row in EventSummary.objects.all()}


def test_every_write_that_changes_an_events_export_values_updates_its_stored_row(editor):
    putin, xi, draft_actor = ActorFactory(slug="putin"), ActorFactory(slug="xi"), ActorFactory(status=Status.DRAFT)
    summit, talks = EventFactory(slug="summit"), EventFactory(slug="talks", cited=False)
    steps = []

    def check(step):
        steps.append(step)
        assert stored() == computed(), f"after {steps}"

    check("events created")
    first = ParticipationFactory(event=summit, actor=putin, role="initiator")
    ParticipationFactory(event=summit, actor=xi, role="host")
    ParticipationFactory(event=summit, actor=draft_actor)
    check("participants added")
    assert stored()[summit.pk][0] == "putin:initiator;xi:host"
    first.role = "target"
    first.save()
    check("a role changed")
    first.event = talks
    first.save()
    check("a participation moved to another event")
    xi.slug = "xi-jinping"
    xi.save()
    check("an actor's slug changed")
    workflow.publish(obj=draft_actor, user=editor)
    check("a draft actor published")
    workflow.withdraw(obj=putin, user=editor)
    check("an actor withdrawn")
    source, draft_source = SourceFactory(), SourceFactory(status=Status.DRAFT)
    citation = CitationFactory(event=talks, source=source)
    CitationFactory(event=talks, source=draft_source)
    check("citations added")
    workflow.publish(obj=draft_source, user=editor)
    check("a draft source published")
    workflow.withdraw(obj=source, user=editor)
    check("a source withdrawn")
    citation.delete()
    check("a citation deleted")
    quote = QuoteFactory(event=summit, speaker=xi)
    QuoteFactory(event=summit, status=Status.DRAFT)
    QuoteFactory(event=summit, speaker=draft_actor)
    check("quotes added")
    assert stored()[summit.pk][2] == 2
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
    Participation.objects.filter(event=summit).delete()
    check("participations deleted in bulk")
    Quote.objects.filter(event=summit).update(event=None)
    summit.delete()
    check("an event deleted")
    assert not EventSummary.objects.filter(event_id=summit.pk).exists()
    assert set(stored()) == set(Event.objects.values_list("pk", flat=True))


def test_bulk_status_changes_by_queryset_update_reach_the_stored_rows():
    # The admin's bulk actions and raw SQL bypass save(): the triggers still see them.
    actors = [ActorFactory() for _ in range(3)]
    for actor in actors:
        ParticipationFactory(actor=actor, event=EventFactory())
    from actors.models import Actor

    Actor.objects.filter(pk__in=[a.pk for a in actors]).update(status=Status.WITHDRAWN)
    assert stored() == computed()
    assert all(values == ("", values[1], 0) for values in stored().values())
    assert not EventSummary.objects.filter(sources="").exists()


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
    assert stored()[900] == ("loaded-actor:host", "900", 1)
    assert stored() == computed()


def test_every_export_trigger_is_installed_after_all_migrations():
    # On SQLite a later migration that alters one of these tables rebuilds it, and the rebuild
    # drops its triggers without a word: such a migration must install them again
    # (public_summary.create_triggers), and this test says when one did not.
    from django.db import connection

    from events.migrations import _event_summary as public_summary

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'events_export_%%' AND tgenabled = 'O'")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'events_export_%'")
        installed = {name for (name,) in cursor.fetchall()}
    assert installed == {name for name, *_ in public_summary.TRIGGERS} | {public_summary.EVENT_INSERT[0]}


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
    # One transaction withdraws a source, and so holds the event's export row; another adds a
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
    assert stored()[event.pk] == ("", str(added.pk), 0)
    assert stored() == computed()


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_participant_added_while_its_actor_is_withdrawn_is_counted_after_the_withdrawal(event_types):
    # Neither trigger can see the other's row: the withdrawal's does not know the new
    # participation, and the participation's must not count the actor as still published. It
    # waits for the withdrawal to commit (it holds the actor FOR SHARE) and counts after it.
    actor, event = ActorFactory(slug="leaving"), EventFactory()
    interleaved(
        ("UPDATE actors_actor SET status = 'withdrawn' WHERE id = %s", [actor.pk]),
        ("INSERT INTO events_participation (event_id, actor_id, role) VALUES (%s, %s, 'host')", [event.pk, actor.pk]),
    )
    assert stored()[event.pk][0] == ""
    assert stored() == computed()
