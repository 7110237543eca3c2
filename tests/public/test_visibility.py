"""No draft leaks: every public surface, with drafts carrying a marker created first."""

import csv
import datetime
import io
import json

import pytest
from rest_framework.test import APIClient

from core import workflow
from core.publishing import Status
from events.models import Event
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
    event_type,
)

pytestmark = pytest.mark.django_db

MARKER = "zanzibarleak"


@pytest.fixture
def record():
    """A published record entangled with unpublished entries that each carry MARKER."""
    # The unpublished entries, first.
    hidden_actor = StateFactory(
        name=f"{MARKER} state", slug=f"{MARKER}-state", country="ZZ", status=Status.DRAFT, description=MARKER
    )
    ActorAliasFactory(actor=hidden_actor, name=f"{MARKER} alias")
    hidden_source = SourceFactory(title=f"{MARKER} source", publisher=MARKER, status=Status.REVIEW)
    hidden_event = EventFactory(
        title=f"{MARKER} event",
        slug=f"{MARKER}-event",
        summary=MARKER,
        country="ZZ",
        start_date=datetime.date(1999, 1, 1),
        event_type=event_type("19"),
        status=Status.DRAFT,
        cited=False,
    )
    EventFactory(
        title=f"{MARKER} withdrawn", slug=f"{MARKER}-withdrawn", status=Status.WITHDRAWN, country="ZZ", cited=False
    )
    # Published, but citing only an unpublished source: not public either.
    unsourced = EventFactory(title=f"{MARKER} unsourced", slug=f"{MARKER}-unsourced", country="ZZ", cited=False)
    CitationFactory(event=unsourced, source=hidden_source)

    # The published record.
    person = ActorFactory(name="Wang Yi", slug="wang-yi")
    source = SourceFactory(title="The article")
    event = EventFactory(title="Wang Yi calls Blinken", slug="call", country="CN", cited=False)
    CitationFactory(event=event, source=source)
    CitationFactory(event=hidden_event, source=source)
    ParticipationFactory(event=event, actor=person, role="initiator")
    ParticipationFactory(event=event, actor=hidden_actor, role="target")
    CitationFactory(event=event, source=hidden_source)
    AffiliationFactory(person=person, organization=hidden_actor, title=MARKER)
    ParticipationFactory(event=hidden_event, actor=person)
    quote = QuoteFactory(text="Concerns must be respected", speaker=person, source=source, event=event)
    QuoteFactory(text=f"{MARKER} draft quote", speaker=person, source=source, event=event, status=Status.DRAFT)
    QuoteFactory(text=f"{MARKER} by a draft speaker", speaker=hidden_actor, source=source, event=event)
    QuoteFactory(text=f"{MARKER} from a draft source", speaker=person, source=hidden_source, event=event)
    QuoteFactory(text="About a draft event", speaker=person, source=source, event=hidden_event)
    return {"person": person, "source": source, "event": event, "quote": quote, "hidden_event": hidden_event}


def surfaces(record):
    person, source, event, quote = record["person"], record["source"], record["event"], record["quote"]
    return [
        "/",
        "/events/",
        f"/events/?q={MARKER}",
        "/events/?actor=wang-yi",
        "/events/?country=ZZ",
        "/events/?date_from=1999&date_to=1999",
        event.get_absolute_url(),
        "/actors/",
        f"/actors/?q={MARKER}",
        "/actors/?country=ZZ",
        person.get_absolute_url(),
        "/quotes/",
        f"/quotes/?q={MARKER}",
        "/quotes/?speaker=wang-yi",
        quote.get_absolute_url(),
        "/sources/",
        f"/sources/?q={MARKER}",
        source.get_absolute_url(),
        f"/search/?q={MARKER}",
        "/search/?q=wang",
        "/feeds/events/",
        "/feeds/quotes/",
        "/sitemap.xml",
        "/sitemap-events.xml",
        "/sitemap-actors.xml",
        "/sitemap-quotes.xml",
        "/sitemap-sources.xml",
        f"/suggest/actors/?q={MARKER}",
    ]


def without_echo(html):
    """The page minus the reader's own query repeated back (search box, title, links)."""
    for echo in (f'value="{MARKER}"', f"q={MARKER}", f"Search: {MARKER}"):
        html = html.replace(echo, "")
    return html


def test_no_unpublished_entry_leaks_through_any_public_surface(client, record):
    for url in surfaces(record):
        response = client.get(url)
        assert response.status_code == 200, url
        html = without_echo(response.content.decode())
        assert MARKER not in html, url


def test_facets_count_published_events_only(client, record):
    response = client.get("/events/")
    facets = {f.title: [(i.label, i.count) for i in f.items] for f in response.context["facets"]}
    assert facets == {"Type": [("04 Consult", 1)], "Country": [("CN", 1)], "Year": [("2022", 1)]}


def test_lists_and_counts_hold_published_entries_only(client, record):
    assert [e.slug for e in client.get("/events/").context["object_list"]] == ["call"]
    assert [a.slug for a in client.get("/actors/").context["object_list"]] == ["wang-yi"]
    assert [q.text for q in client.get("/quotes/").context["object_list"]] == [
        "About a draft event",
        "Concerns must be respected",
    ]
    assert [s.title for s in client.get("/sources/").context["object_list"]] == ["The article"]
    assert [(label, count) for label, _, count in client.get("/").context["counts"]] == [
        ("events", "1"),
        ("actors", "1"),
        ("quotes", "2"),
        ("sources", "1"),
    ]


def test_filters_on_unpublished_entries_are_errors_not_empty_results(client, record):
    assert client.get(f"/events/?actor={MARKER}-state").status_code == 400
    assert client.get(f"/quotes/?event={MARKER}-event").status_code == 400
    hidden_source_id = record["event"].citations.get(source__status=Status.REVIEW).source_id
    assert client.get(f"/quotes/?source={hidden_source_id}").status_code == 400


def test_quote_about_a_draft_event_does_not_link_to_it(client, record):
    response = client.get("/quotes/?q=draft")
    assert record["hidden_event"].get_absolute_url() not in response.content.decode()


# An event that left the public site still showed through its quotes ---------------------------


@pytest.fixture
def event_gone_by_its_source(publisher):
    event = EventFactory(slug="gone", title="Gone event", cited=False)
    source = SourceFactory(title="Its only source")
    CitationFactory(event=event, source=source)
    other_source = SourceFactory(title="The quote's source")
    quote = QuoteFactory(event=event, source=other_source, text="Words about it")
    workflow.withdraw(obj=source, user=publisher)
    assert not Event.objects.published().filter(pk=event.pk).exists()
    return quote


def test_a_quote_does_not_name_an_event_that_left_the_site(client, event_gone_by_its_source):
    quote = event_gone_by_its_source
    assert client.get("/events/gone/").status_code == 404
    for url in (quote.get_absolute_url(), "/quotes/"):
        html = client.get(url).content.decode()
        assert "Words about it" in html and "Gone event" not in html and "/events/gone/" not in html, url
    assert APIClient().get(f"/api/quotes/{quote.pk}/").json()["event"] is None
    assert [q["event"] for q in APIClient().get("/api/quotes/").json()["results"]] == [None]


def test_quote_json_ld_is_not_about_an_event_that_left_the_site(client, event_gone_by_its_source):
    response = client.get(event_gone_by_its_source.get_absolute_url())
    assert "about" not in response.context["jsonld"]


def test_quote_exports_do_not_name_an_event_that_left_the_site(event_gone_by_its_source):
    api = APIClient()
    rows = list(csv.DictReader(io.StringIO(b"".join(api.get("/api/quotes/?format=csv").streaming_content).decode())))
    assert [(r["text"], r["event"]) for r in rows] == [("Words about it", "")]
    lines = b"".join(api.get("/api/quotes/?format=ndjson").streaming_content).decode().splitlines()
    assert [json.loads(line)["event"] for line in lines[1:]] == [None]
