"""Relevance order: the newest RELEVANCE_WINDOW matches best first, then the older ones newest
first (core/search.py, ``ranked_slice``), the same on pages, in the API and on the search page."""

import datetime

import pytest
from django.db import connection

from actors.models import Actor
from core import search
from core.publishing import Status
from events.filters import PublicEventFilter
from events.models import PublicEvent, Quote
from tests.factories import EventFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="ranking is PostgreSQL's"),
]

WINDOW = 4
# Newest first: the window is the newest four matches, in which the title match ranks first;
# then the older matches by date, the older title matches among them.
EXPECTED = ["day6-title", "day8", "day7", "day5", "day4", "day3-title", "day2", "day1-title"]


@pytest.fixture
def matches(monkeypatch):
    monkeypatch.setattr(search, "RELEVANCE_WINDOW", WINDOW)
    # Created first: the draft that could leak, the best match and the newest.
    EventFactory(slug="day9-draft", title="Sanctions", start_date=datetime.date(2020, 1, 9), status=Status.DRAFT)
    for day in range(1, 9):
        title = day in (1, 3, 6)
        EventFactory(
            slug=f"day{day}-title" if title else f"day{day}",
            title="Sanctions imposed" if title else "Meeting",
            summary="They discussed sanctions.",
            start_date=datetime.date(2020, 1, day),
        )
    EventFactory(
        slug="other", title="Trade talks", summary="Nothing of the kind.", start_date=datetime.date(2020, 1, 5)
    )


def ranked(text="sanctions"):
    filterset = PublicEventFilter({"q": text}, queryset=PublicEvent.objects.all())
    assert filterset.is_valid(), filterset.errors
    assert search.is_ranked(filterset.qs)
    return filterset.qs


def test_every_slice_follows_the_window_then_the_date(matches):
    queryset = ranked()
    for start in range(len(EXPECTED) + 1):
        for stop in range(start, len(EXPECTED) + 3):
            assert [e.slug for e in search.ranked_slice(queryset, start, stop)] == EXPECTED[start:stop], (start, stop)


def test_fewer_matches_than_the_window_are_all_ranked(monkeypatch, matches):
    monkeypatch.setattr(search, "RELEVANCE_WINDOW", 100)
    assert [e.slug for e in search.ranked_slice(ranked(), 0, 30)] == [
        "day6-title", "day3-title", "day1-title", "day8", "day7", "day5", "day4", "day2",
    ]  # fmt: skip


def test_the_events_page_lists_the_same_order(client, matches):
    response = client.get("/events/?q=sanctions")
    assert [e.slug for e in response.context["object_list"]] == EXPECTED
    # An explicit ordering wins over relevance.
    response = client.get("/events/?q=sanctions&ordering=date")
    assert [e.slug for e in response.context["object_list"]] == sorted(EXPECTED, key=lambda s: s[3])


def test_the_api_pages_through_the_same_order_once_each(client, matches):
    seen, url = [], "/api/events/?q=sanctions&page_size=3"
    while url:
        body = client.get(url).json()
        seen += [row["slug"] for row in body["results"]]
        url = body["next"]
    assert seen == EXPECTED


def test_the_search_page_shows_the_window_first(client, matches):
    response = client.get("/search/?q=sanctions")
    events = next(section for section in response.context["results"] if section["title"] == "Events")
    assert [e.slug for e in events["items"]] == EXPECTED[: len(events["items"])]
    assert events["count"] == "8"


def test_lists_kept_newest_first_have_a_window_and_actors_by_name_do_not():
    assert search.newest_first(PublicEvent) and search.newest_first(Quote)
    assert not search.newest_first(Actor)
