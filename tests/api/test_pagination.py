"""Keyset cursor pages: every row exactly once, in order, forwards and back, at any depth."""

import base64
import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ActorFactory, EventFactory, QuoteFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def walk(api, url, key):
    seen, pages = [], 0
    while url:
        data = api.get(url).json()
        seen += [row[key] for row in data["results"]]
        url, pages = data["next"], pages + 1
    return seen, pages


def walk_back(api, url, key):
    """Follow next links to the end, then previous links back to the start."""
    data = api.get(url).json()
    while data["next"]:
        data = api.get(data["next"]).json()
    seen = [row[key] for row in data["results"]]
    while data["previous"]:
        data = api.get(data["previous"]).json()
        seen = [row[key] for row in data["results"]] + seen
    return seen


def test_cursor_pages_visit_every_event_once_in_order_with_ties_on_dates(api):
    for n in range(23):
        EventFactory(slug=f"e{n:02d}", title=f"T{n % 5}", start_date=D(2022, 1, 1 + n % 4))
    expected = [e["slug"] for e in api.get("/api/events/?page_size=100").json()["results"]]
    assert len(expected) == 23
    assert walk(api, "/api/events/?page_size=5", "slug") == (expected, 5)
    assert walk_back(api, "/api/events/?page_size=5", "slug") == expected
    by_title = [e["slug"] for e in api.get("/api/events/?page_size=100&ordering=title").json()["results"]]
    assert walk(api, "/api/events/?page_size=4&ordering=title", "slug")[0] == by_title
    assert walk_back(api, "/api/events/?page_size=4&ordering=-title", "slug") == by_title[::-1]


def test_cursor_pages_keep_undated_quotes_last_in_both_directions(api):
    speaker = ActorFactory()
    for n in range(9):
        QuoteFactory(speaker=speaker, text=f"q{n}", said_on=D(2022, 1, 1 + n % 3) if n % 2 else None)
    newest_first, _ = walk(api, "/api/quotes/?page_size=2", "id")
    dates = [q["said_on"] for q in api.get("/api/quotes/?page_size=100").json()["results"]]
    assert dates[-5:] == [None] * 5
    assert newest_first == [q["id"] for q in api.get("/api/quotes/?page_size=100").json()["results"]]
    oldest_first, _ = walk(api, "/api/quotes/?page_size=2&ordering=date", "id")
    # Undated quotes last either way; among them ties go by id, so the order flips.
    assert oldest_first[-5:] == newest_first[-5:][::-1]
    assert len(set(oldest_first)) == 9
    assert walk_back(api, "/api/quotes/?page_size=2", "id") == newest_first


def test_a_deep_page_costs_the_same_queries_as_the_first(api):
    for n in range(40):
        EventFactory(start_date=D(2000 + n % 20, 1, 1 + n % 28))
    with CaptureQueriesContext(connection) as first:
        data = api.get("/api/events/?page_size=5").json()
    url = data["next"]
    for _ in range(6):
        url = api.get(url).json()["next"]
    with CaptureQueriesContext(connection) as deep:
        api.get(url)
    assert len(first) == len(deep)
    assert len(deep) == 1
    assert "OFFSET" not in deep.captured_queries[-1]["sql"].upper()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("page_size=0", {"page_size": ["Use a whole number from 1 to 100."]}),
        ("page_size=101", {"page_size": ["Use a whole number from 1 to 100."]}),
        ("page_size=-3", {"page_size": ["Use a whole number from 1 to 100."]}),
        ("page_size=" + "9" * 5000, {"page_size": ["Use a whole number from 1 to 100."]}),
        ("cursor=not-base64!", {"cursor": ["Invalid cursor."]}),
        ("cursor=eyJwIjpbMV19", {"cursor": ["Invalid cursor (it belongs to another ordering)."]}),
        ("cursor=eyJwIjpbIm5vdC1hLWRhdGUiLDFdfQ", {"cursor": ["Invalid cursor."]}),
    ],
)
def test_bad_page_parameters_are_400(api, query, message):
    EventFactory()
    response = api.get(f"/api/events/?{query}")
    assert (response.status_code, response.json()) == (400, message)


def cursor(payload):
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("path", "payload"),
    [
        ("/api/actors/", {"p": ["\x00", 1]}),
        ("/api/events/?ordering=title", {"p": ["\x00", 1]}),
        ("/api/sources/?ordering=title", {"p": ["a\x00b", 1]}),
        ("/api/events/?ordering=title", {"p": ["t" * 501, 1]}),
        ("/api/actors/", {"p": ["Russia", 2**70]}),
        ("/api/quotes/", {"p": ["2022-01-01", -(2**70)]}),
    ],
)
def test_cursor_with_values_the_column_cannot_hold_is_400(api, path, payload):
    ActorFactory()
    EventFactory()
    separator = "&" if "?" in path else "?"
    response = api.get(f"{path}{separator}cursor={cursor(payload)}")
    assert (response.status_code, response.json()) == (400, {"cursor": ["Invalid cursor."]})
