"""Public responses come from the cache until anything in the record changes, and not a moment longer."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events import services
from events.models import Event
from tests.factories import EventFactory, QuoteFactory

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
    services.withdraw(obj=event, user=editor)
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
