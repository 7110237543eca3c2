"""Detail pages: published entries for everyone, drafts only as a preview for editors."""

import pytest

from core.publishing import Status
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
