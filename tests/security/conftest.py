import pytest

from actors.models import Actor
from core.publishing import Status
from events.models import Event, EventType, Quote, Source
from tests.factories import (
    ActorAliasFactory,
    ActorFactory,
    AffiliationFactory,
    CitationFactory,
    EventFactory,
    ParticipationFactory,
    QuoteFactory,
    SourceFactory,
    StateFactory,
)


@pytest.fixture
def no_throttle(monkeypatch):
    """The corpus sends thousands of requests; throttling is tested on its own."""
    from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle

    from api.throttling import EditorRateThrottle

    monkeypatch.setattr(AnonRateThrottle, "allow_request", lambda self, request, view: True)
    monkeypatch.setattr(ScopedRateThrottle, "allow_request", lambda self, request, view: True)
    monkeypatch.setattr(EditorRateThrottle, "allow_request", lambda self, request, view: True)


@pytest.fixture
def examples(db, no_throttle):
    """A small published record, with a draft beside it, and one entry of each model whose
    address takes a slug or an id."""
    russia = StateFactory(name="Russia", slug="russia", country="RU")
    ActorAliasFactory(actor=russia, name="Moscow")
    putin = ActorFactory(name="Vladimir Putin", slug="vladimir-putin", country="RU")
    AffiliationFactory(person=putin, organization=russia, title="President")
    source = SourceFactory(title="Putin and Xi meet", publisher="Example News")
    event = EventFactory(title="Putin visits Beijing", slug="putin-visits-beijing", country="CN", cited=False)
    CitationFactory(event=event, source=source)
    ParticipationFactory(event=event, actor=putin, role="initiator")
    ParticipationFactory(event=event, actor=russia, role="participant")
    quote = QuoteFactory(text="A friendship without limits", speaker=putin, source=source, event=event)
    EventFactory(title="A draft", slug="a-draft", status=Status.DRAFT, cited=False)
    return {Actor: putin, Event: event, Quote: quote, Source: source, EventType: event.event_type}


@pytest.fixture
def tool(examples):
    """An editors' tool with every right (a Publisher), so that writes reach validation."""
    from tests.api.conftest import member_of, token_client

    return token_client(member_of("Publisher", "corpus-tool"))
