"""A tool or editor with the view permission on some models only: it opens unpublished events
and quotes but not unpublished actors or sources. The one rule (core.publishing.readable) then
shows it links to the actors and sources it may open only, on the page, in a GET and in a
write's answer alike; it cannot name what it may not see, nor remove what it cannot see."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from core.publishing import Status
from events.models import Event, Participation
from tests.editorial import member_of, token_client
from tests.factories import (
    ActorFactory,
    CitationFactory,
    EventFactory,
    ParticipationFactory,
    QuoteFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """A published event with a published and a draft participant, a published and a draft
    source, and a published and a draft quote (the draft one by the draft actor)."""
    actor = ActorFactory(slug="seen-actor", name="Seen Actor")
    hidden = ActorFactory(slug="hidden-actor", name="Hidden-Marker Actor", status=Status.DRAFT)
    event = EventFactory(slug="hub", cited=False)
    source = CitationFactory(event=event).source
    hidden_source = SourceFactory(title="Hidden-Marker Source", status=Status.DRAFT)
    CitationFactory(event=event, source=hidden_source)
    ParticipationFactory(event=event, actor=actor)
    ParticipationFactory(event=event, actor=hidden)
    quote = QuoteFactory(event=event, speaker=actor, source=source, text="Seen words")
    hidden_quote = QuoteFactory(
        event=event, speaker=hidden, source=source, status=Status.DRAFT, text="Hidden-Marker words"
    )
    return {
        "event": event,
        "actor": actor,
        "hidden": hidden,
        "source": source,
        "quote": quote,
        "hidden_quote": hidden_quote,
    }


def events_only():
    """Staff with every permission on events and quotes and none on actors or sources."""
    user = get_user_model().objects.create_user(username="events-only", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            codename__in=["view_event", "add_event", "change_event", "publish_event", "view_quote", "change_quote"]
        )
    )
    return get_user_model().objects.get(pk=user.pk)


def participants(response):
    return sorted(row["actor"] for row in response.json()["participants"])


def sources(response):
    return sorted(row["source"] for row in response.json()["sources"])


def test_page_and_api_show_only_the_links_the_reader_may_open(client, world):
    user = events_only()
    client.force_login(user)
    page = client.get("/events/hub/").content.decode()
    api = token_client(user).get("/api/events/hub/")

    assert sorted(set(re.findall(r'href="/actors/([^/"]+)/"', page))) == ["seen-actor"]
    assert sorted(set(re.findall(r'href="/quotes/(\d+)/"', page))) == [str(world["quote"].pk)]
    assert "Hidden-Marker" not in page
    assert (participants(api), sources(api)) == (["seen-actor"], [world["source"].pk])
    assert "Hidden-Marker" not in api.content.decode()


def test_an_editor_with_every_view_permission_sees_the_draft_links(client, world):
    editor = member_of("Editor", "full-editor")
    client.force_login(editor)
    page = client.get("/events/hub/").content.decode()
    api = token_client(editor).get("/api/events/hub/")

    assert sorted(set(re.findall(r'href="/actors/([^/"]+)/"', page))) == ["hidden-actor", "seen-actor"]
    assert participants(api) == ["hidden-actor", "seen-actor"]
    # A link the public does not see says so: the page is published, so no banner does.
    assert re.findall(r">([^<>]+)</a> <span class=\"meta\">\((\w+)\)</span>", page) == [
        ("Hidden-Marker Actor", "draft"),
        ("Hidden-Marker Actor", "draft"),
        ("quote", "draft"),
        ("Hidden-Marker Source", "draft"),
    ]
    public = Client().get("/events/hub/").content.decode()
    assert ("(draft)" in public, "Hidden-Marker" in public) == (False, False)


def test_a_write_answers_with_what_a_get_shows(world):
    api = token_client(events_only())
    before = api.get("/api/events/hub/")

    response = api.patch("/api/events/hub/", {"title": "Renamed"}, format="json", HTTP_IF_MATCH=before["ETag"])

    assert response.status_code == 200, response.json()
    assert (participants(response), sources(response)) == (participants(before), sources(before))
    assert "Hidden-Marker" not in response.content.decode()


def test_replacing_the_participants_keeps_the_rows_the_writer_cannot_see(world):
    api = token_client(events_only())
    etag = api.get("/api/events/hub/")["ETag"]
    newcomer = ActorFactory(slug="newcomer")

    response = api.patch(
        "/api/events/hub/",
        {"participants": [{"actor": "newcomer", "role": "participant"}]},
        format="json",
        HTTP_IF_MATCH=etag,
    )

    assert response.status_code == 200, response.json()
    assert participants(response) == ["newcomer"]
    stored = Participation.objects.filter(event=world["event"]).values_list("actor__slug", flat=True)
    assert sorted(stored) == ["hidden-actor", "newcomer"]
    assert newcomer.pk  # the published actor was linked


def test_naming_an_unpublished_entry_the_writer_cannot_see_is_refused(world):
    api = token_client(events_only())
    etag = api.get("/api/events/hub/")["ETag"]
    hidden_source = world["event"].citations.get(source__status=Status.DRAFT).source

    response = api.patch(
        "/api/events/hub/",
        {
            "participants": [{"actor": "hidden-actor", "role": "host"}],
            "sources": [{"source": hidden_source.pk}],
        },
        format="json",
        HTTP_IF_MATCH=etag,
    )

    assert response.status_code == 400
    assert response.json() == {
        "participants": {"0": {"actor": ["Object with slug=hidden-actor does not exist."]}},
        "sources": {"0": {"source": [f'Invalid pk "{hidden_source.pk}" - object does not exist.']}},
    }
    assert Event.objects.get(slug="hub").version == world["event"].version
    assert sorted(Participation.objects.filter(event=world["event"]).values_list("actor__slug", "role")) == [
        ("hidden-actor", "participant"),
        ("seen-actor", "participant"),
    ]
