"""The changes feed (/api/changes/) from the public change log the database keeps: every way an
entry enters or leaves the public site, under the identifier the public saw."""

import datetime
import io
import time

import pytest
from django.db import connection
from rest_framework.test import APIClient

from actors.models import Actor
from core import workflow
from core.publishing import Status
from events import services
from events.models import Event, PublicChange, Quote, Source
from tests.api.conftest import member_of, token_client
from tests.factories import (
    ActorFactory,
    CitationFactory,
    EventFactory,
    ParticipationFactory,
    QuoteFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


def just_before():
    """A ``since`` for what the test writes next. SQLite's clock, which stamps the change log,
    has milliseconds: a write in the same millisecond would otherwise look older. The pause
    first keeps what the test wrote just before out (a write in the previous millisecond)."""
    time.sleep(0.003)
    return datetime.datetime.now(datetime.UTC) - datetime.timedelta(milliseconds=1)


def changes(since, resource=None):
    response = APIClient().get("/api/changes/", {"since": since.isoformat(), "page_size": 100})
    assert response.status_code == 200
    return [
        (r["resource"], r["id"], r["change"], r["api_url"])
        for r in response.json()["results"]
        if resource is None or r["resource"] == resource
    ]


def test_an_event_that_loses_its_last_published_source_is_withdrawn_under_its_slug(publisher):
    event = EventFactory(slug="gone", cited=False)
    source, other = SourceFactory(), SourceFactory()
    CitationFactory(event=event, source=source)
    CitationFactory(event=event, source=other)
    start = just_before()
    workflow.withdraw(obj=source, user=publisher)
    assert changes(start, "event") == []  # still public through the other source
    workflow.withdraw(obj=other, user=publisher)
    assert changes(start, "event") == [("event", "gone", "withdrawn", None)]
    workflow.publish(obj=other, user=publisher)
    assert changes(start, "event") == [
        ("event", "gone", "withdrawn", None),
        ("event", "gone", "created", "http://testserver/api/events/gone/"),
    ]


def test_a_removed_citation_takes_the_event_off_like_a_withdrawal(publisher):
    event = EventFactory(slug="e")
    start = just_before()
    token_client(publisher).patch("/api/events/e/", {"sources": []}, format="json", HTTP_IF_MATCH=f'"{event.version}"')
    assert not Event.objects.published().exists()
    # The event's row is saved first (an update while public), then its citations replaced.
    assert changes(start, "event") == [
        ("event", "e", "updated", "http://testserver/api/events/e/"),
        ("event", "e", "withdrawn", None),
    ]


def test_a_withdrawn_event_renamed_is_not_listed_under_a_slug_never_public(publisher):
    event = EventFactory(slug="old-slug")
    workflow.withdraw(obj=event, user=publisher)
    start = just_before()
    response = token_client(publisher).patch(
        "/api/events/old-slug/", {"slug": "secret-new-slug"}, format="json", HTTP_IF_MATCH=f'"{event.version}"'
    )
    assert response.status_code == 200, response.json()
    assert changes(start) == []


def test_a_public_event_renamed_leaves_its_old_slug_and_appears_under_the_new(publisher):
    event = EventFactory(slug="old-slug")
    start = just_before()
    token_client(publisher).patch(
        "/api/events/old-slug/", {"slug": "new-slug"}, format="json", HTTP_IF_MATCH=f'"{event.version}"'
    )
    assert changes(start) == [
        ("event", "old-slug", "withdrawn", None),
        ("event", "new-slug", "created", "http://testserver/api/events/new-slug/"),
    ]


def test_quotes_leave_with_their_speaker_and_edits_of_public_entries_are_updates(publisher):
    speaker = ActorFactory(slug="speaker")
    quote = QuoteFactory(speaker=speaker)
    event = EventFactory(slug="e")
    start = just_before()
    ParticipationFactory(event=event, actor=ActorFactory(slug="guest", status=Status.DRAFT))
    workflow.withdraw(obj=speaker, user=publisher)
    assert changes(start) == [
        ("event", "e", "updated", "http://testserver/api/events/e/"),
        ("actor", "speaker", "withdrawn", None),
        ("quote", str(quote.pk), "withdrawn", None),
    ]


def test_drafts_never_appear_and_deleted_drafts_leave_no_trace(publisher):
    start = just_before()
    event = EventFactory(status=Status.DRAFT, slug="draft", cited=False)
    draft_actor, draft_source = ActorFactory(status=Status.DRAFT), SourceFactory(status=Status.DRAFT)
    CitationFactory(event=event, source=draft_source)
    QuoteFactory(status=Status.DRAFT, speaker=draft_actor, source=draft_source)
    workflow.delete_entry(obj=event, user=publisher)
    assert changes(start) == []


def test_the_log_agrees_with_published_after_every_kind_of_write(publisher):
    speaker, source = ActorFactory(), SourceFactory()
    events = [EventFactory(cited=False) for _ in range(3)]
    for event in events:
        CitationFactory(event=event, source=source)
    quotes = [QuoteFactory(speaker=speaker, source=source, event=events[0]) for _ in range(2)]
    workflow.withdraw(obj=quotes[0], user=publisher)
    workflow.withdraw(obj=speaker, user=publisher)
    workflow.publish(obj=speaker, user=publisher)
    CitationFactory(event=events[1], source=SourceFactory(status=Status.DRAFT))
    workflow.withdraw(obj=source, user=publisher)
    workflow.publish(obj=source, user=publisher)
    workflow.withdraw(obj=events[2], user=publisher)
    services.merge_actors(survivor=ActorFactory(), duplicate=speaker, user=publisher)

    for resource, model in (("event", Event), ("actor", Actor), ("quote", Quote), ("source", Source)):
        latest = {}
        for row in PublicChange.objects.filter(resource=resource).order_by("id"):
            latest[row.entry_id] = row.change
        logged = sorted(pk for pk, change in latest.items() if change != "withdrawn")
        assert logged == sorted(model.objects.published().values_list("pk", flat=True)), resource


def test_changes_feed_cursor_must_be_one_of_ours():
    for cursor in ("x", "eyJ0IjogIjIwMjYtMDEtMDFUMDA6MDA6MDBaIiwgImlkIjogdHJ1ZX0", "bnVsbA"):
        response = APIClient().get("/api/changes/", {"since": "2026-01-01T00:00:00Z", "cursor": cursor})
        assert (response.status_code, response.json()) == (400, {"cursor": ["Invalid cursor."]}), cursor


def test_every_change_log_trigger_is_installed_after_all_migrations():
    from events import public_changes
    from tests.events.test_read_model import installed_triggers

    assert installed_triggers("events_changes_%") == set(public_changes.trigger_names())


def test_generated_demo_data_is_in_the_log_as_published_says():
    """generate_demo_data loads with the triggers off (PostgreSQL) and fills the log after."""
    from django.core.management import call_command

    call_command("generate_demo_data", events=300, stdout=io.StringIO())
    for resource, model in (("event", Event), ("actor", Actor), ("quote", Quote), ("source", Source)):
        logged = PublicChange.objects.filter(resource=resource).values_list("entry_id", flat=True)
        assert sorted(logged) == sorted(model.objects.published().values_list("pk", flat=True)), resource
        assert set(PublicChange.objects.filter(resource=resource).values_list("change", flat=True)) == {"created"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer at a time")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_withdrawals_of_an_events_sources_log_it_as_gone(event_types):
    # Each transaction withdraws one of the event's two sources. Judged at once, each would
    # see the other's source still published and log nothing; the second waits for the event
    # the first holds, and then sees both withdrawn.
    from tests.events.test_read_model import interleaved

    first, second = SourceFactory(), SourceFactory()
    event = EventFactory(slug="two-sources", cited=False)
    CitationFactory(event=event, source=first)
    CitationFactory(event=event, source=second)
    interleaved(
        ("UPDATE events_source SET status = 'withdrawn' WHERE id = %s", [first.pk]),
        ("UPDATE events_source SET status = 'withdrawn' WHERE id = %s", [second.pk]),
    )
    rows = PublicChange.objects.filter(resource="event", entry_id=event.pk).order_by("id")
    assert [row.change for row in rows] == ["created", "updated", "withdrawn"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer at a time")
@pytest.mark.django_db(transaction=True)
def test_a_row_is_listed_only_when_no_older_one_can_still_commit(event_types, editorial_roles):
    # A transaction writes a row and stays open; another writes a later row and commits. A
    # client that read the later row and then asked for what came after it would never see the
    # older one: the feed holds the later row back until the older transaction ends.
    import threading

    from django.db import transaction

    from tests.events.test_merge_race import in_thread

    publisher = member_of("Publisher", "pablo")
    start = just_before()
    slow, quick = ActorFactory(slug="slow"), ActorFactory(slug="quick")
    since = APIClient().get("/api/changes/", {"since": start.isoformat()}).json()["results"][-1]["at"]
    written, release = threading.Event(), threading.Event()

    def slow_withdrawal():
        with transaction.atomic():
            workflow.withdraw(obj=slow, user=publisher)
            written.set()
            release.wait(10)

    thread, outcome = in_thread(slow_withdrawal)
    assert written.wait(10)
    workflow.withdraw(obj=quick, user=publisher)
    assert changes_since(since) == []
    release.set()
    thread.join(10)
    assert "error" not in outcome, outcome
    assert changes_since(since) == [("actor", "slow", "withdrawn", None), ("actor", "quick", "withdrawn", None)]


def changes_since(at):
    response = APIClient().get("/api/changes/", {"since": at})
    return [(r["resource"], r["id"], r["change"], r["api_url"]) for r in response.json()["results"]]


def test_sending_an_events_sources_again_or_swapping_them_never_takes_it_off(publisher):
    event = EventFactory(slug="e")
    kept, replacement = event.citations.get().source, SourceFactory()
    api = token_client(publisher)
    start = just_before()
    body = {"title": "Retitled", "sources": [{"source": kept.pk}]}
    assert api.patch("/api/events/e/", body, format="json", HTTP_IF_MATCH='"1"').status_code == 200
    body = {"sources": [{"source": replacement.pk, "locator": "p. 2"}]}
    assert api.patch("/api/events/e/", body, format="json", HTTP_IF_MATCH='"2"').status_code == 200
    assert [change for _, _, change, _ in changes(start, "event")] == ["updated", "updated", "updated", "updated"]
    assert [(c.source, c.locator) for c in Event.objects.get(slug="e").citations.all()] == [(replacement, "p. 2")]


def test_aliases_written_through_the_api_are_found_as_duplicates(publisher):
    # (Written with bulk_create, an alias had no match key: duplicate detection missed it.)
    api = token_client(publisher)
    body = {
        "name": "Wang Yi",
        "slug": "wang-yi",
        "kind": "person",
        "aliases": [{"name": "The Diplomat", "language": "en"}],
    }
    assert api.post("/api/actors/", body, format="json").status_code == 201
    response = api.post(
        "/api/actors/", {"name": "Diplomat, The", "slug": "the-diplomat", "kind": "person"}, format="json"
    )
    assert (response.status_code, response["X-Possible-Duplicates"]) == (201, "wang-yi")


# The feed's parameters and pages --------------------------------------------------------------


def test_changes_feed_lists_published_creations_updates_and_withdrawals_only(api, publisher):
    start = just_before()
    event = EventFactory(status=Status.DRAFT, slug="e", title="Draft only")
    ActorFactory(status=Status.DRAFT, slug="never-published")
    workflow.publish(obj=event, user=publisher)
    source = Source.objects.get()
    workflow.withdraw(obj=event, user=publisher)
    response = api.get("/api/changes/", {"since": start.isoformat()})
    assert response.status_code == 200
    results = [(r["resource"], r["id"], r["change"]) for r in response.json()["results"]]
    assert results == [
        ("source", str(source.pk), "created"),
        ("event", "e", "created"),
        ("event", "e", "withdrawn"),
    ]
    assert response.json()["results"][1]["api_url"] == "http://testserver/api/events/e/"


def test_changes_feed_pages_without_gaps_and_rejects_bad_times(api):
    start = just_before()
    for n in range(7):
        SourceFactory(title=f"S{n}")
    seen, url = [], f"/api/changes/?since={start.isoformat().replace('+', '%2B')}&page_size=3"
    while url:
        data = api.get(url).json()
        seen += [r["id"] for r in data["results"]]
        url = data["next"]
    assert seen == [str(s.pk) for s in Source.objects.order_by("pk")]
    assert api.get("/api/changes/").json() == {"since": ["Required: an ISO 8601 time, such as 2026-11-01T00:00:00Z."]}
    assert api.get("/api/changes/?since=yesterday").status_code == 400
    assert api.get("/api/changes/?since=2026-11-01T00:00:00").json() == {
        "since": ["Give a time zone, such as Z or +01:00."]
    }


def test_changes_feed_takes_any_time_zone(api):
    assert api.get("/api/changes/", {"since": "2000-01-10T19:00:01+19:00"}).status_code == 200
    assert api.get("/api/changes/", {"since": "0001-01-01T00:00:00+01:00"}).json() == {
        "since": ["That time is out of range."]
    }
