import datetime
from decimal import Decimal

import pytest
from django.db import DataError, IntegrityError

from core.dates import DatePrecision, format_date, format_period, period_end
from core.publishing import Status
from events.models import Event, EventType, Quote, Source
from tests.factories import (
    ActorFactory,
    CitationFactory,
    EventFactory,
    QuoteFactory,
    SourceFactory,
    event_type,
)
from tests.helpers import assert_rejected

pytestmark = pytest.mark.django_db

D = datetime.date


def make_event(**fields):
    defaults = {"title": "T", "slug": "t", "event_type": event_type("04"), "start_date": D(2022, 2, 4)}
    return Event(**(defaults | fields))


def test_event_end_before_start_is_rejected():
    event = make_event(start_date=D(2022, 2, 4), end_date=D(2022, 2, 3))
    assert_rejected(event, "The end date cannot be before the start date.")


def test_event_month_precision_date_not_first_of_month_is_rejected_by_the_database():
    # Validation normalizes (see the next test); the database refuses what bypasses it.
    event = make_event(start_date=D(2022, 2, 15), date_precision=DatePrecision.MONTH)
    with pytest.raises(Exception) as excinfo:
        event.save()
    assert "event_dates_match_precision" in str(excinfo.value)


def test_event_clean_stores_month_and_year_precision_dates_as_first_day():
    event = make_event(start_date=D(2021, 12, 6), end_date=D(2022, 1, 19), date_precision=DatePrecision.MONTH)
    event.full_clean()
    assert (event.start_date, event.end_date) == (D(2021, 12, 1), D(2022, 1, 1))
    event = make_event(slug="y", start_date=D(2001, 7, 16), date_precision=DatePrecision.YEAR)
    event.full_clean()
    assert event.start_date == D(2001, 1, 1)


def test_event_slug_duplicate_is_rejected():
    EventFactory(slug="putin-visits-beijing")
    assert_rejected(make_event(slug="putin-visits-beijing"), "Event with this Slug already exists.")


def test_event_country_lowercase_is_rejected():
    assert_rejected(
        make_event(country="cn"),
        "Country must be an ISO 3166-1 alpha-2 code in capitals, such as UA, or blank.",
    )


def test_event_empty_title_is_rejected_by_the_database():
    event = make_event(title="")
    with pytest.raises(Exception) as excinfo:
        event.save()
    assert "event_title_not_empty" in str(excinfo.value)


@pytest.mark.parametrize(
    ("start", "end", "precision", "expected_end"),
    [
        (D(2022, 2, 4), None, "day", D(2022, 2, 4)),
        (D(2022, 2, 1), None, "month", D(2022, 2, 28)),
        (D(2024, 2, 1), None, "month", D(2024, 2, 29)),
        (D(2021, 12, 1), D(2022, 1, 1), "month", D(2022, 1, 31)),
        (D(2001, 1, 1), None, "year", D(2001, 12, 31)),
        (D(1952, 1, 1), D(1991, 1, 1), "year", D(1991, 12, 31)),
        (D(2022, 1, 24), D(2022, 1, 30), "day", D(2022, 1, 30)),
    ],
)
def test_event_period_end_is_computed_by_the_database(start, end, precision, expected_end):
    event = EventFactory(start_date=start, end_date=end, date_precision=precision)
    assert Event.objects.get(pk=event.pk).period_end == expected_end
    assert period_end(end or start, precision) == expected_end


def test_event_period_end_follows_an_update():
    event = EventFactory(start_date=D(2022, 1, 1), date_precision="day")
    Event.objects.filter(pk=event.pk).update(date_precision="year")
    assert Event.objects.get(pk=event.pk).period_end == D(2022, 12, 31)


def test_event_published_returns_only_published_events_citing_a_published_source():
    shown = EventFactory(status=Status.PUBLISHED)
    EventFactory(status=Status.DRAFT)
    EventFactory(status=Status.REVIEW)
    EventFactory(status=Status.WITHDRAWN)
    EventFactory(status=Status.PUBLISHED, cited=False)
    withdrawn_source = EventFactory(status=Status.PUBLISHED, cited=False)
    CitationFactory(event=withdrawn_source, source=SourceFactory(status=Status.WITHDRAWN))
    assert list(Event.objects.published()) == [shown]


def test_event_leaves_the_site_when_its_last_source_is_withdrawn():
    event = EventFactory(status=Status.PUBLISHED, cited=False)
    first, second = SourceFactory(), SourceFactory()
    CitationFactory(event=event, source=first)
    CitationFactory(event=event, source=second)
    Source.objects.filter(pk=first.pk).update(status=Status.WITHDRAWN)
    assert list(Event.objects.published()) == [event]
    Source.objects.filter(pk=second.pk).update(status=Status.WITHDRAWN)
    assert list(Event.objects.published()) == []


def test_event_far_future_dates_are_rejected():
    assert_rejected(make_event(start_date=D(9999, 6, 1)), "Dates must be before the year 9999.")


@pytest.mark.parametrize("field", ["country", "wikidata_id"])
def test_trailing_newline_is_rejected_on_every_database(field):
    from actors.models import Actor

    value = {"country": "RU\n", "wikidata_id": "Q42\n"}[field]
    actor = Actor(name="X", slug="x", kind="state", **{field: value})
    # A CHECK violation on both; PostgreSQL may already refuse the length (DataError).
    with pytest.raises((IntegrityError, DataError)):
        actor.save()


@pytest.mark.parametrize(
    ("start", "end", "precision", "expected"),
    [
        (D(2022, 2, 4), None, "day", "4 February 2022"),
        (D(2022, 1, 1), None, "month", "January 2022"),
        (D(2001, 1, 1), None, "year", "2001"),
        (D(1952, 1, 1), D(1991, 1, 1), "year", "1952–1991"),
        (D(2022, 2, 2), D(2022, 2, 6), "day", "2–6 February 2022"),
        (D(2022, 1, 30), D(2022, 2, 2), "day", "30 January 2022 – 2 February 2022"),
        (D(2021, 12, 1), D(2022, 1, 1), "month", "December 2021 – January 2022"),
    ],
)
def test_format_period_by_precision(start, end, precision, expected):
    assert format_period(start, end, precision) == expected


def test_format_date_without_date_is_empty():
    assert format_date(None, "day") == ""


def test_source_url_duplicate_is_rejected_but_blank_urls_may_repeat():
    SourceFactory(url="https://news.example/a")
    assert_rejected(Source(title="Again", url="https://news.example/a"), "A source with this URL already exists.")
    SourceFactory(url="")
    second_blank = Source(title="No URL either", url="")
    second_blank.full_clean()
    second_blank.save()
    assert Source.objects.filter(url="").count() == 2


def test_source_bad_language_is_rejected():
    assert_rejected(Source(title="T", language="English"), "Language must be a BCP 47 tag such as en, pt or zh-Hant.")


def test_event_type_seed_has_the_twenty_cameo_roots_with_quad_class_and_score():
    roots = EventType.objects.filter(parent__isnull=True)
    assert [t.code for t in roots] == [f"{n:02d}" for n in range(1, 21)]
    assert (roots[0].name, roots[0].quad_class, roots[0].score) == ("Make public statement", "verbal_cooperation", 0)
    last = roots.get(code="20")
    assert (last.name, last.quad_class, last.score) == (
        "Use unconventional mass violence",
        "material_conflict",
        Decimal("-10.0"),
    )
    assert EventType.objects.get(code="042").parent.code == "04"


def test_event_type_score_out_of_range_is_rejected():
    assert_rejected(
        EventType(code="99", slug="x", name="X", quad_class="verbal_conflict", score=Decimal("-10.5")),
        "The score runs from −10 to +10.",
    )


def test_event_type_code_not_digits_is_rejected():
    assert_rejected(
        EventType(code="4a", slug="x", name="X", quad_class="verbal_conflict", score=0),
        "A CAMEO code is two to four digits, such as 04 or 042.",
    )


def test_event_type_child_code_must_extend_parent_code():
    child = EventType(code="051", slug="x", name="X", quad_class="verbal_cooperation", score=1, parent=event_type("04"))
    with pytest.raises(Exception) as excinfo:
        child.full_clean()
    assert excinfo.value.message_dict["code"] == ["A child of 04 has a code starting with 04."]


def test_quote_published_requires_published_speaker_and_source():
    shown = QuoteFactory(text="shown")
    QuoteFactory(text="draft quote", status=Status.DRAFT)
    QuoteFactory(text="draft speaker", speaker=ActorFactory(status=Status.DRAFT))
    QuoteFactory(text="withdrawn source", source=SourceFactory(status=Status.WITHDRAWN))
    assert list(Quote.objects.published()) == [shown]


def test_quote_empty_text_is_rejected():
    quote = QuoteFactory.build(text="", speaker=ActorFactory(), source=SourceFactory())
    assert_rejected(quote, "This field cannot be blank.")


def test_quote_said_on_is_normalized_to_its_precision():
    quote = QuoteFactory.build(
        speaker=ActorFactory(), source=SourceFactory(), said_on=D(2022, 1, 27), said_on_precision="month"
    )
    quote.full_clean()
    assert quote.said_on == D(2022, 1, 1)
    assert quote.said_on_display == "January 2022"


def test_quote_without_source_is_rejected():
    quote = Quote(text="words", speaker=ActorFactory())
    with pytest.raises(Exception) as excinfo:
        quote.full_clean()
    assert excinfo.value.message_dict["source"] == ["This field cannot be null."]
