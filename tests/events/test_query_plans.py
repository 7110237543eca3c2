"""The hot reads use their indexes on PostgreSQL (see bench/README.md for the plans at 1M rows).

With small test tables the planner would rightly prefer sequential scans, so these tests turn
them off: what remains is whether an index that serves the query (and its order) exists.
A "Sort" node means the list's order and the index disagree: at a million rows, seconds.
"""

import datetime

import pytest
from django.db import connection
from django.http import QueryDict

from api.pagination import after, order_by, ordering_keys
from events import selectors
from events.filters import EventFilter, PublicEventFilter, QuoteFilter
from events.models import Event, PublicEvent, Quote
from tests.factories import ActorFactory, EventFactory, ParticipationFactory, QuoteFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans are PostgreSQL's"),
]


def plan(queryset, bitmaps=False, walks=True):
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # Only plans that could win at scale: no sequential scans, no sorting a tiny table
        # (a Sort still appears, penalised, when no index gives the order), no bitmaps except
        # for the GIN index, which only bitmaps can read.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        if not bitmaps:
            cursor.execute("SET LOCAL enable_bitmapscan = off")
        if not walks:  # only bitmaps: which index answers the conditions
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute("SET LOCAL enable_indexonlyscan = off")
        cursor.execute("EXPLAIN (COSTS OFF) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def page(filterset_class, query, model, size=30):
    public = selectors.public_event_rows() if model is PublicEvent else model.objects.published()
    filterset = filterset_class(QueryDict(query), queryset=public)
    assert filterset.is_valid(), filterset.errors
    keys = ordering_keys(filterset.qs)
    return filterset.qs.order_by(*order_by(keys))[:size] if keys else filterset.qs[:size]


@pytest.fixture
def data():
    actor = ActorFactory(slug="popular")
    for n in range(20):
        event = EventFactory(start_date=datetime.date(2000 + n, 1, 1), summary="sanctions talks")
        ParticipationFactory(event=event, actor=actor)
        QuoteFactory(speaker=actor, said_on=None if n % 3 == 0 else datetime.date(2000 + n, 2, 1))
    return actor


# The public event lists read the read model (events_publicevent): the mixed workload's shapes
# (bench/mixed.py; plans at a million rows in bench/README.md). None of them may touch the
# normalized tables: visibility is the row's existence, not a probe per row.


def assert_reads_only_the_read_model(text):
    for table in ("events_event ", "events_citation", "events_participation", "events_source"):
        assert table not in text, text


def test_public_list_walks_the_date_index_without_sorting(data):
    text = plan(page(PublicEventFilter, "", PublicEvent))
    assert "publicevent_date_idx" in text and "Sort" not in text, text
    assert_reads_only_the_read_model(text)


def test_deep_cursor_page_starts_inside_the_date_index(data):
    rows = selectors.public_event_rows()
    keys = ordering_keys(rows)
    text = plan(rows.filter(after(keys, [datetime.date(2010, 1, 1), 10**6])).order_by(*order_by(keys))[:30])
    assert "publicevent_date_idx" in text and "Index Cond: (start_date <= " in text and "Sort" not in text, text


@pytest.mark.parametrize(
    ("query", "index"),
    [
        ("country=RU", "publicevent_country_date_idx"),
        ("type=04", "publicevent_type_date_idx"),
        ("type=04&country=RU&date_from=2010", "publicevent_"),
        ("actor=popular&date_from=2010", "publicevent_"),
    ],
)
def test_public_list_filters_walk_an_index_in_the_lists_order(data, query, index):
    text = plan(page(PublicEventFilter, query, PublicEvent))
    assert index in text and "Sort" not in text, text
    assert_reads_only_the_read_model(text)


@pytest.mark.parametrize(
    ("query", "index"),
    [("actor=popular", "publicevent_match_gin"), ("q=sanctions", "publicevent_match_gin")],
)
def test_actors_and_words_are_found_through_their_gin_index(data, query, index):
    # The match itself (bitmaps are how a GIN index is read); whether the planner then sorts
    # the matches or walks the date index and checks each depends on how many match.
    filterset = PublicEventFilter(QueryDict(query), queryset=selectors.public_event_rows())
    assert filterset.is_valid()
    text = plan(filterset.qs.order_by().values("pk"), bitmaps=True)
    assert index in text, text
    assert_reads_only_the_read_model(text)


def test_an_actor_words_a_type_and_a_country_are_matched_by_one_gin_scan(data):
    # One GIN index over the match columns intersects them as it reads (migration 0012), not a
    # BitmapAnd of one index per condition (bench/README.md).
    filterset = PublicEventFilter(
        QueryDict("actor=popular&q=sanctions&type=04&country=RU"), queryset=selectors.public_event_rows()
    )
    assert filterset.is_valid()
    with connection.cursor() as cursor:
        # At a few rows the planner rightly prefers a btree index; without them (dropped in this
        # test's transaction) the question is whether the GIN index takes all four conditions.
        cursor.execute("DROP INDEX publicevent_type_date_idx, publicevent_country_date_idx")
    text = plan(filterset.qs.order_by().values("pk"), bitmaps=True, walks=False)
    scans = [line for line in text.splitlines() if "Index Scan" in line]
    assert len(scans) == 1 and "publicevent_match_gin" in scans[0] and "BitmapAnd" not in text, text
    condition = next(line for line in text.splitlines() if "Index Cond" in line)
    for column in ("actor_ids", "search_document", "type_root", "country"):
        assert column in condition, text


def test_an_export_from_a_date_finds_its_rows_by_period_end(data):
    filterset = PublicEventFilter(QueryDict("date_from=2010"), queryset=selectors.public_event_rows())
    assert filterset.is_valid()
    text = plan(filterset.qs.order_by().values("pk", "title"), bitmaps=True)
    assert "publicevent_period_end_idx" in text, text


def test_facets_and_the_capped_count_read_only_the_read_model(data):
    from django.db.models import Count

    filtered = PublicEventFilter(QueryDict("actor=popular"), queryset=selectors.public_event_rows()).qs
    grouped = filtered.order_by().values("type_root", "country", "year").annotate(n=Count("pk"))
    for queryset in (grouped, filtered.order_by()[:10_001].values("pk")):
        assert_reads_only_the_read_model(plan(queryset, bitmaps=True))


def test_an_editors_event_list_still_walks_the_events_date_index(data):
    text = plan(page(EventFilter, "", Event))
    assert "event_start_date_idx" in text and "Sort" not in text, text


def test_actor_timeline_of_an_editors_list_probes_participations_by_actor(data):
    text = plan(page(EventFilter, "actor=popular", Event, 50))
    # Walks events newest first and probes each for the actor: (actor, event) or (event, actor, role).
    probes = "participation_actor_event_idx" in text or "participation_unique" in text
    assert probes and "actor_id = " in text and "Sort" not in text, text


def test_quotes_by_speaker_use_the_speaker_date_index_without_sorting(data):
    text = plan(page(QuoteFilter, "speaker=popular", Quote))
    assert "quote_speaker_said_on_idx" in text and "Sort" not in text, text


def test_quote_list_index_matches_its_nulls_last_order(data):
    text = plan(page(QuoteFilter, "", Quote))
    assert "quote_said_on_idx" in text and "Sort" not in text, text


def test_full_text_search_uses_the_gin_index(data):
    from core import search

    # The match itself; how the planner then joins and orders depends on table sizes.
    text = plan(search.search(Event.objects.all(), "sanctions").order_by().values("pk"), bitmaps=True)
    assert "event_search_gin" in text, text


@pytest.mark.parametrize(
    ("query", "index"), [("q=sanctions", "publicevent_date_idx"), ("q=talks&type=04", "publicevent_type_date_idx")]
)
def test_best_first_ranks_only_the_newest_matches(data, query, index):
    # Relevance order (core/search.py): the window of newest matches comes from walking the
    # list's index newest first, with a limit; only those rows are ranked and sorted.
    from core import search

    filterset = PublicEventFilter(QueryDict(query), queryset=selectors.public_event_rows())
    assert filterset.is_valid()
    window, _ = search.relevance_parts(filterset.qs)
    text = plan(window[:30])
    lines = [line.strip(" ->") for line in text.splitlines()]
    walk = lines.index(f"Index Scan using {index} on events_publicevent u0")
    assert lines[walk - 1] == "Limit" and lines[:2] == ["Limit", "Sort"], text
    assert_reads_only_the_read_model(text)
