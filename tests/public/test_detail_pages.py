"""Detail pages: published entries for everyone, drafts only as a preview for editors."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.test import APIClient

from core.publishing import Status
from events.models import Event
from tests.editorial import admin_client
from tests.factories import (
    ActorFactory,
    CitationFactory,
    EventFactory,
    ParticipationFactory,
    QuoteFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db

MARKER = "LEAKED-DRAFT-MARKER"


def test_draft_event_is_404_to_the_public_and_a_preview_to_editors(client, editor):
    draft = EventFactory(status=Status.DRAFT, title=f"Secret {MARKER}")
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(editor)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "Preview: this entry is <strong>draft</strong>" in response.content.decode()


@pytest.mark.parametrize("status", [Status.DRAFT, Status.REVIEW, Status.WITHDRAWN])
def test_unpublished_entries_of_every_kind_are_404(client, status):
    for obj in (
        ActorFactory(status=status),
        SourceFactory(status=status),
        QuoteFactory(status=status),
        EventFactory(status=status),
    ):
        assert client.get(obj.get_absolute_url()).status_code == 404, obj


def test_event_page_hides_draft_participants_sources_and_quotes(client):
    event = EventFactory(title="Xi receives Putin")
    ParticipationFactory(event=event, actor=ActorFactory(name="Vladimir Putin"), role="initiator")
    ParticipationFactory(event=event, actor=ActorFactory(name=f"Actor {MARKER}", status=Status.DRAFT))
    CitationFactory(event=event, source=SourceFactory(title="Wire story"))
    CitationFactory(event=event, source=SourceFactory(title=f"Source {MARKER}", status=Status.DRAFT))
    QuoteFactory(event=event, text="Published words")
    QuoteFactory(event=event, text=f"Quote {MARKER}", status=Status.DRAFT)
    response = client.get(event.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert MARKER not in html
    assert [p.actor.name for p in response.context["event"].participations.all()] == ["Vladimir Putin"]
    assert "Wire story" in html and "Published words" in html


def test_actor_page_lists_only_published_events_and_quotes(client):
    actor = ActorFactory(name="Wang Yi")
    ParticipationFactory(actor=actor, event=EventFactory(title="Call with Blinken"))
    ParticipationFactory(actor=actor, event=EventFactory(title=f"Event {MARKER}", status=Status.DRAFT))
    QuoteFactory(speaker=actor, text="Concerns must be respected")
    QuoteFactory(speaker=actor, text=f"Quote {MARKER}", status=Status.REVIEW)
    response = client.get(actor.get_absolute_url())
    assert MARKER not in response.content.decode()
    assert [e.title for e in response.context["events"]] == ["Call with Blinken"]
    assert [q.text for q in response.context["quotes"]] == ["Concerns must be respected"]


def test_source_page_lists_only_published_citing_entries(client):
    source = SourceFactory(title="The article")
    CitationFactory(source=source, event=EventFactory(title="Cited event"))
    CitationFactory(source=source, event=EventFactory(title=f"Event {MARKER}", status=Status.DRAFT))
    QuoteFactory(source=source, text="Said words")
    QuoteFactory(source=source, text=f"Quote {MARKER}", speaker=ActorFactory(status=Status.DRAFT))
    response = client.get(source.get_absolute_url())
    assert MARKER not in response.content.decode()
    assert [e.title for e in response.context["events"]] == ["Cited event"]
    assert [q.text for q in response.context["quotes"]] == ["Said words"]


def test_quote_page_hides_link_to_a_draft_event(client):
    quote = QuoteFactory(event=EventFactory(title=f"Event {MARKER}", status=Status.DRAFT))
    response = client.get(quote.get_absolute_url())
    assert response.status_code == 200
    assert MARKER not in response.content.decode()


@pytest.mark.parametrize("kind", ["event", "source", "quote"])
def test_staff_without_permission_gets_404_for_drafts_like_the_api(kind, group_editor):
    marker = "previewleak"
    draft = {
        "event": lambda: EventFactory(status=Status.DRAFT, title=marker),
        "source": lambda: SourceFactory(status=Status.DRAFT, title=marker),
        "quote": lambda: QuoteFactory(status=Status.DRAFT, text=marker),
    }[kind]()
    staff = get_user_model().objects.create_user("staff", password="pw", is_staff=True)
    client = Client()
    client.force_login(staff)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 404
    assert marker not in response.content.decode()
    preview = admin_client(group_editor).get(draft.get_absolute_url())
    assert preview.status_code == 200 and marker in preview.content.decode()


def test_an_editor_previewing_an_event_without_a_published_source_is_told_it_is_not_public(group_editor):
    event = EventFactory(slug="unsourced", title="Unsourced event", cited=False)
    CitationFactory(event=event, source=SourceFactory(status=Status.DRAFT))
    assert APIClient().get("/api/events/unsourced/").status_code == 404
    response = admin_client(group_editor).get("/events/unsourced/")
    assert (response.status_code, response.context["is_preview"]) == (200, True)
    assert (Event.objects.get(pk=event.pk).is_published, EventFactory().is_published) == (False, True)
