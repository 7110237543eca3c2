"""Text that editors enter is text: HTML in a quote, a summary, a name or a title is shown
escaped on every page that shows it (lists, details, search snippets, JSON-LD), in the feeds, in
the browsable API and in the admin, never as markup.

The pages are every public page of the site and every API read (from the URL patterns and the
OpenAPI schema) and every admin page of every registered model.
"""

import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.contrib import admin
from django.urls import reverse

from actors.models import Actor
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

from . import corpus

pytestmark = [pytest.mark.django_db, pytest.mark.generated]

# Markup in stored text, and how it reads once escaped. "bold" is the word searches look for.
MARKUP = '<b>bold</b> <script>alert("x")</script> &amp; </script><img src=x onerror=alert(1)>'
RAW = ("<b>bold</b>", '<script>alert("x")', "<img src=x")
ESCAPED = "&lt;b&gt;bold&lt;/b&gt;"


def marked(label):
    return f"{label} {MARKUP}"


@pytest.fixture
def record(db, no_throttle):
    """A published record with markup in every text an editor writes."""
    state = StateFactory(name=marked("State"), slug="state", country="RU", description=marked("Description"))
    person = ActorFactory(name=marked("Person"), slug="person", description=marked("About"))
    ActorAliasFactory(actor=person, name=marked("Alias"))
    AffiliationFactory(person=person, organization=state, title=marked("Title"))
    source = SourceFactory(title=marked("Source"), publisher=marked("Publisher"), author=marked("Author"))
    event = EventFactory(
        title=marked("Event"), slug="event", summary=marked("Summary"), location=marked("Place"), cited=False
    )
    CitationFactory(event=event, source=source, locator=marked("Locator"), note=marked("Note"))
    ParticipationFactory(event=event, actor=person, role="initiator")
    ParticipationFactory(event=event, actor=state, role="host")
    quote = QuoteFactory(
        text=marked("Quote"),
        speaker=person,
        source=source,
        event=event,
        speaker_title=marked("Speaker title"),
        original_text=marked("Original"),
    )
    # A correction of a published fact, with the editor's reason: shown on the event's page.
    event.summary = marked("Corrected summary")
    event._change_reason = marked("Reason")
    event.save()
    return {Actor: person, Event: event, Quote: quote, Source: source, EventType: event.event_type}


def problems(url, response, shows_record=True):
    body = corpus.body_of(response).decode()
    content_type = response.get("Content-Type", "")
    found = []
    if response.status_code != 200:
        found.append(f"status {response.status_code}")
    if "html" in content_type or "xml" in content_type:
        found += [f"raw {raw!r}" for raw in RAW if raw in body]
    if "html" in content_type and shows_record and ESCAPED not in body:
        found.append("the marked text is not shown")
    for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', body, re.DOTALL):
        # "</" inside the block would end it early; the data must read back as stored.
        if "</" in block or not any(MARKUP in text for text in corpus.strings(json.loads(block))):
            found.append(f"JSON-LD not safely escaped: {block[:200]}")
    return [f"{url}: {problem}" for problem in found]


def public_urls(record):
    urls = []
    for address in corpus.page_addresses():
        path = address.path(record)
        if address.template in ("/suggest/actors/", "/search/") or address.parameters.get("q"):
            path += "?q=bold"  # search results and their highlighted snippets
        urls.append(path)
        if address.template in ("/events/", "/quotes/", "/sources/", "/actors/"):
            urls.append(address.template)  # unfiltered too: the plain rows
    return urls


def test_stored_markup_is_escaped_on_every_public_page(client, record):
    failures = []
    for url in public_urls(record):
        failures += problems(url, client.get(url))
    assert not failures, "\n".join(failures)


def test_stored_markup_is_escaped_in_the_browsable_api(client, record):
    failures = []
    resources = ("/api/events/", "/api/actors/", "/api/quotes/", "/api/sources/")
    for address in corpus.api_operations(methods=("get",)):
        url = address.path(record)
        if address.required:
            url += "?" + "&".join(f"{name}={value}" for name, value in address.required.items())
        response = client.get(url, headers={"Accept": "text/html"})
        failures += problems(url, response, shows_record=address.template.startswith(resources))
    assert not failures, "\n".join(failures)


def test_stored_markup_is_text_in_the_feeds(client, record):
    """An Atom summary is HTML (type="html"): the text in it must arrive HTML-escaped, so that a
    feed reader shows the markup rather than running it. Titles are plain text."""
    atom = "{http://www.w3.org/2005/Atom}"
    for url in ("/feeds/events/", "/feeds/quotes/"):
        entry = ET.fromstring(client.get(url).content).find(f"{atom}entry")
        title, summary = entry.findtext(f"{atom}title"), entry.find(f"{atom}summary")
        assert MARKUP in title
        assert summary.get("type") == "html"
        assert ESCAPED in summary.text and not any(raw in summary.text for raw in RAW), summary.text


def admin_pages():
    """Every registered model's change list (plain and searched), change form and history."""
    for model in admin.site._registry:
        if model._meta.app_label not in ("actors", "events"):
            continue
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        entry = model.objects.order_by("pk").last()  # the record's (EventType: a seeded one)
        yield reverse(f"{info}_changelist")
        yield reverse(f"{info}_changelist") + "?q=bold"
        yield reverse(f"{info}_change", args=[entry.pk])
        yield reverse(f"{info}_history", args=[entry.pk])


def test_stored_markup_is_escaped_in_the_admin(editor_client, record):
    failures = []
    for url in admin_pages():
        response = editor_client.get(url)
        body = response.content.decode()
        if response.status_code != 200 or any(raw in body for raw in RAW):
            failures.append(f"{url}: status {response.status_code}, raw: {[r for r in RAW if r in body]}")
        editorial = any(f"/{name}/" in url for name in ("event", "actor", "quote", "source"))
        if url.endswith("/change/") and editorial and ESCAPED not in body:
            failures.append(f"{url}: the marked text is not shown")
    # The merge confirmation, a template of our own.
    person, state = record[Actor], Actor.objects.get(slug="state")
    response = editor_client.post(
        reverse("admin:actors_actor_changelist"), {"action": "merge_actors", "_selected_action": [person.pk, state.pk]}
    )
    body = response.content.decode()
    if ESCAPED not in body or any(raw in body for raw in RAW):
        failures.append("merge confirmation: not escaped")
    assert not failures, "\n".join(failures)
