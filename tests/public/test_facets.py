"""public.facets.capped_grouped_counts: the count and every facet of a list from one read, on
either database (PostgreSQL groups by each column apart, SQLite by all of them together)."""

import datetime
from collections import Counter

import pytest
from django.db.models.functions import ExtractYear

from core.publishing import Status
from events import selectors
from public.facets import capped_grouped_counts
from tests.factories import ActorFactory, EventFactory, QuoteFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_each_column_is_counted_as_if_counted_alone_and_a_draft_is_not(event_types):
    EventFactory(country="FR", status=Status.DRAFT)  # the row that could be counted
    shapes = [("RU", 2020), ("RU", 2021), ("CN", 2021), ("", 2021), ("RU", 2020), ("CN", 2019)]
    for country, year in shapes:
        EventFactory(country=country, start_date=datetime.date(year, 3, 1))
    total, counts = capped_grouped_counts(
        selectors.public_event_rows(), 10, type="type_root", country="country", year="year"
    )
    assert total == 6
    assert counts == {
        "type": Counter({"04": 6}),
        "country": Counter({"RU": 3, "CN": 2, "": 1}),
        "year": Counter({2021: 3, 2020: 2, 2019: 1}),
    }
    assert capped_grouped_counts(selectors.public_event_rows(), 5, country="country") == (6, None)


def test_a_pair_of_columns_and_an_empty_value_are_keys_of_their_own():
    putin, xi = ActorFactory(slug="putin", name="Putin"), ActorFactory(slug="xi", name="Xi")
    QuoteFactory(speaker=putin, language="ru")
    QuoteFactory(speaker=putin, language="en", said_on=None)
    QuoteFactory(speaker=xi, language="zh")
    QuoteFactory(speaker=ActorFactory(slug="hidden", status=Status.DRAFT))  # not public
    total, counts = capped_grouped_counts(
        selectors.public_quotes(),
        10,
        speaker=("speaker__slug", "speaker__name"),
        language="language",
        year=ExtractYear("said_on"),
    )
    assert total == 3
    assert counts == {
        "speaker": Counter({("putin", "Putin"): 2, ("xi", "Xi"): 1}),
        "language": Counter({"ru": 1, "en": 1, "zh": 1}),
        "year": Counter({2022: 2, None: 1}),
    }


def test_no_rows_give_empty_counts():
    SourceFactory(status=Status.DRAFT)
    assert capped_grouped_counts(selectors.public_sources(), 10, kind="kind", year=ExtractYear("published_on")) == (
        0,
        {"kind": Counter(), "year": Counter()},
    )
