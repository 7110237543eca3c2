"""EXPLAIN ANALYZE of the hot reads on the benchmark database, as the project runs them.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/relations_bench DEBUG=1 \\
        .venv/bin/python manage.py shell < bench/explain.py
"""

from django.db import connection
from django.http import QueryDict

from actors.models import Actor
from api.pagination import after, order_by, ordering_keys
from events.filters import PublicEventFilter, QuoteFilter
from events.models import PublicEvent, Quote
from public.views.base import capped_count  # noqa: F401 - the count the pages run


def explain(title, queryset):
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING ON) " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    print(f"### {title}\n\n```\n{plan}\n```\n")


def page(filterset_class, query, model, size=30):
    # Public event lists read the read model (events_publicevent), quotes their own table.
    public = PublicEvent.objects.all() if model is PublicEvent else model.objects.published()
    filterset = filterset_class(QueryDict(query), queryset=public)
    assert filterset.is_valid(), filterset.errors
    queryset = filterset.qs
    keys = ordering_keys(queryset)
    return queryset.order_by(*order_by(keys))[:size] if keys else queryset[:size]


popular = Actor.objects.raw(
    "SELECT a.id, a.slug FROM actors_actor a JOIN events_participation p ON p.actor_id = a.id "
    "GROUP BY a.id ORDER BY count(*) DESC LIMIT 1"
)[0].slug
explain("Events list, newest first (first page)", page(PublicEventFilter, "", PublicEvent))
explain("Events by type, country and date", page(PublicEventFilter, "type=04&country=RU&date_from=2010", PublicEvent))
explain(
    f"A popular actor's timeline ({popular}), newest 50", page(PublicEventFilter, f"actor={popular}", PublicEvent, 50)
)
explain("Search a common word, newest first", page(PublicEventFilter, "q=sanctions&ordering=-date", PublicEvent))
explain("Search a common word, best first", page(PublicEventFilter, "q=sanctions", PublicEvent))
explain(f"Quotes by speaker ({popular})", page(QuoteFilter, f"speaker={popular}", Quote))
deep = list(PublicEvent.objects.order_by("-start_date", "-id").values_list("start_date", "id")[300_000:300_001])[0]
events = PublicEvent.objects.all()
keys = ordering_keys(events)
explain("Deep cursor page (300,000 rows in)", events.filter(after(keys, list(deep))).order_by(*order_by(keys))[:30])
explain("Capped count (10,001 rows at most)", PublicEvent.objects.order_by()[:10_001].values("pk"))

# The CSV export (what COPY runs): every column from the read model's row.
from api.events import EventViewSet  # noqa: E402

export = PublicEventFilter(QueryDict("date_from=2019-01-01"), queryset=PublicEvent.objects.all()).qs
explain("CSV export, events from 2019 on", export.values_list(*[column for _, column in EventViewSet.export_columns]))
