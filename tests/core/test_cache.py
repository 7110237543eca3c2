"""Public responses come from the cache until anything in the record changes, and not a moment longer."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import workflow
from core.publishing import Status
from events.models import Event
from tests.factories import (
    ActorAliasFactory,
    ActorFactory,
    CitationFactory,
    EventFactory,
    ParticipationFactory,
    QuoteFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


def test_second_read_is_a_cache_hit_without_queries(client):
    EventFactory(title="Summit")
    assert client.get("/events/")["X-Cache"] == "miss"
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/events/")
    assert (response["X-Cache"], len(queries)) == ("hit", 0)
    assert "Summit" in response.content.decode()


@pytest.mark.parametrize("url", ["/events/", "/api/events/", "/feeds/events/", "/"])
def test_an_edit_after_publishing_shows_at_once(client, url):
    event = EventFactory(title="Old title", slug="e")
    client.get(url)
    assert client.get(url)["X-Cache"] == "hit"
    Event.objects.filter(pk=event.pk).update(title="unused")  # a raw update: not a model save
    event.title = "New title"
    event.save()
    response = client.get(url)
    assert response["X-Cache"] == "miss"
    assert "New title" in response.content.decode() and "Old title" not in response.content.decode()


def test_withdrawing_through_the_service_empties_the_cached_page(client, editor):
    event = EventFactory(title="Soon gone")
    assert "Soon gone" in client.get("/events/").content.decode()
    workflow.withdraw(obj=event, user=editor)
    assert "Soon gone" not in client.get("/events/").content.decode()


def test_a_related_change_invalidates_too(client):
    quote = QuoteFactory(text="Original words")
    client.get("/quotes/")
    quote.speaker.name = "Renamed speaker"
    quote.speaker.save()
    assert "Renamed speaker" in client.get("/quotes/").content.decode()


def test_editors_and_errors_are_never_cached(client, editor):
    EventFactory()
    assert client.get("/events/?date_from=2022-13").status_code == 400
    assert client.get("/events/?date_from=2022-13")["X-Cache"] == "miss"
    client.force_login(editor)
    assert "X-Cache" not in client.get("/events/")


def cached(client, url="/events/"):
    client.get(url)
    return client.get(url)["X-Cache"] == "hit"


def test_writes_the_public_cannot_see_keep_the_cache(client, editor):
    EventFactory(title="Public summit")
    draft = EventFactory(title="Draft talks", status=Status.DRAFT)
    actor, source = ActorFactory(status=Status.DRAFT), SourceFactory(status=Status.DRAFT)
    assert cached(client)
    draft.title = "Draft talks, renamed"
    draft.save()  # with its history record
    ParticipationFactory(event=draft, actor=actor)
    CitationFactory(event=draft, source=source)
    QuoteFactory(status=Status.DRAFT, event=draft, speaker=actor, source=source)
    actor.name = "Renamed draft actor"
    actor.save()
    ActorAliasFactory(actor=actor)
    workflow.send_to_review(obj=draft, user=editor)
    assert client.get("/events/")["X-Cache"] == "hit"
    draft.participations.all().delete()
    EventFactory(status=Status.DRAFT, cited=False).delete()
    assert client.get("/events/")["X-Cache"] == "hit"
    workflow.publish(obj=draft, user=editor)
    response = client.get("/events/")
    assert response["X-Cache"] == "miss"
    assert "Draft talks, renamed" in response.content.decode()


@pytest.mark.parametrize(
    "write",
    [
        "published entry edited",
        "published entry withdrawn",
        "published entry deleted",
        "link row added to a published entry",
        "link row moved from a published entry to a draft",
        "link row of a published entry deleted",
        "draft saved over a published entry",
        "event type edited",
    ],
)
def test_writes_the_public_can_see_empty_the_cache(client, editor, write):
    public, draft = EventFactory(title="Public summit"), EventFactory(status=Status.DRAFT)
    participation = ParticipationFactory(event=public)
    assert cached(client)
    if write == "published entry edited":
        public.title = "Renamed"
        public.save()
    elif write == "published entry withdrawn":
        workflow.withdraw(obj=public, user=editor)
    elif write == "published entry deleted":
        Event.objects.get(pk=public.pk).delete()
    elif write == "link row added to a published entry":
        ParticipationFactory(event=public)
    elif write == "link row moved from a published entry to a draft":
        participation.event = draft
        participation.save()
    elif write == "link row of a published entry deleted":
        participation.delete()
    elif write == "draft saved over a published entry":
        stale = Event.objects.get(pk=public.pk)
        stale.status = Status.DRAFT  # a stale copy: the stored row, not the copy, says it was public
        stale.save()
    elif write == "event type edited":
        kind = public.event_type
        kind.description = "Changed"
        kind.save()
    assert client.get("/events/")["X-Cache"] == "miss"


def test_an_edit_of_a_withdrawn_entry_leaves_the_cache_and_the_changes_feed_alone(api, editor):
    # The public saw the withdrawal (a write while published); an edit after it, nothing.
    quote = QuoteFactory()
    workflow.withdraw(obj=quote, user=editor)
    url = "/api/changes/?since=2000-01-01T00:00:00Z"
    before = api.get(url).json()["results"]
    assert before[-1]["change"] == "withdrawn"
    quote.text = "Corrected words"
    quote.save()
    response = api.get(url)
    assert response["X-Cache"] == "hit"
    assert response.json()["results"] == before
