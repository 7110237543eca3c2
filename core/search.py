"""Full-text search: a stored, indexed document column on PostgreSQL, a working fallback on SQLite.

Each searchable model has a ``search_document`` GeneratedField built by ``SearchDocument``:
on PostgreSQL a weighted ``tsvector`` (GIN-indexed), on SQLite the lower-cased text.
``search()`` filters and, on PostgreSQL, ranks; ``ranked_slice()`` takes a page of a list in
relevance order; ``highlight()`` makes snippets for one page of results only, so the cost does
not grow with the size of the result.
"""

import re

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVectorField
from django.db import connection, models
from django.db.models import F
from django.db.models.expressions import OrderBy
from django.utils.html import escape
from django.utils.safestring import mark_safe

CONFIG = "english"
MAX_QUERY_LENGTH = 200
# Sentinels around matches in ts_headline output: the text is HTML-escaped first, then
# they become <mark>; an editor's text containing HTML stays inert.
START, STOP = "\x02", "\x03"
# Relevance order ("best first") on a list kept newest first ranks the newest RELEVANCE_WINDOW
# matches of the filters, then lists the older matches newest first. Why: ranking reads every
# match's document, and a common word matches a large share of a million events
# (bench/README.md); the newest few hundred matches are found by walking the date index.
# Narrowing the dates ranks an earlier period. The first ten pages of 30 are ranked.
RELEVANCE_WINDOW = 300


class SearchDocumentField(SearchVectorField):
    """``tsvector`` on PostgreSQL; plain text on SQLite, searched with LIKE."""

    def db_type(self, connection):
        return "tsvector" if connection.vendor == "postgresql" else "text"


class SearchDocument(models.Func):
    """The search document of a row: ``SearchDocument(("title", "A"), ("summary", "B"))``."""

    output_field = SearchDocumentField()

    def __init__(self, *weighted_fields):
        self.weights = [weight for _, weight in weighted_fields]
        super().__init__(*(F(name) for name, _ in weighted_fields))

    def deconstruct(self):
        path, _, kwargs = super().deconstruct()
        args = tuple((expr.name, weight) for expr, weight in zip(self.source_expressions, self.weights, strict=True))
        return path, args, kwargs

    def as_sql(self, compiler, connection, **extra_context):
        parts = []
        for expression, weight in zip(self.source_expressions, self.weights, strict=True):
            sql, params = compiler.compile(expression)
            assert not params, "search documents are built from columns only"
            if connection.vendor == "postgresql":
                parts.append(f"setweight(to_tsvector('{CONFIG}'::regconfig, COALESCE({sql}, '')), '{weight}')")
            else:
                parts.append(f"COALESCE({sql}, '')")
        if connection.vendor == "postgresql":
            return "(" + " || ".join(parts) + ")", ()
        return "lower(" + " || ' ' || ".join(parts) + ")", ()


def is_postgresql():
    return connection.vendor == "postgresql"


def terms(text):
    """The words of a query, for the SQLite fallback and for highlighting."""
    return [t for t in re.findall(r"\w+", text.lower()) if t]


def search_query(text):
    return SearchQuery(text, config=CONFIG, search_type="websearch")


def search(queryset, text, *, field="search_document"):
    """Rows whose document matches ``text``, annotated with ``rank`` on PostgreSQL."""
    if is_postgresql():
        query = search_query(text)
        return queryset.filter(**{field: query}).annotate(rank=SearchRank(F(field), query))
    for term in terms(text) or [text.lower()]:
        queryset = queryset.filter(**{f"{field}__contains": term})
    return queryset


def is_ranked(queryset):
    """Whether the queryset is in relevance order (BaseFilterSet's ``rank`` first)."""
    first = queryset.query.order_by[:1]
    return bool(first) and isinstance(first[0], OrderBy) and getattr(first[0].expression, "name", None) == "rank"


def newest_first(model):
    """Whether the model's lists are newest first (events, quotes, sources; actors are by name)."""
    first = model._meta.ordering[0]
    return first.descending if isinstance(first, OrderBy) else first.startswith("-")


def ranked_slice(queryset, start, stop):
    """Rows ``start`` to ``stop`` of the list, as a list. In relevance order on a list kept
    newest first: the newest RELEVANCE_WINDOW matches, best first; then the older matches,
    newest first. Every match appears once, whatever the page. Other lists rank every match."""
    if not (is_ranked(queryset) and newest_first(queryset.model)):
        return list(queryset[start:stop])
    window, older = relevance_parts(queryset)
    rows = []
    if start < RELEVANCE_WINDOW:
        rows += window[start : min(stop, RELEVANCE_WINDOW)]
    if stop > RELEVANCE_WINDOW:
        rows += older[max(start, RELEVANCE_WINDOW) - RELEVANCE_WINDOW : stop - RELEVANCE_WINDOW]
    return rows


def relevance_parts(queryset):
    """The two parts of a relevance-ordered list: its newest RELEVANCE_WINDOW matches best
    first (one query: the window's ids, by walking the list's date index, then their ranks),
    and the older matches newest first."""
    newest = queryset.order_by(*queryset.model._meta.ordering)
    ids = newest.values("pk")[:RELEVANCE_WINDOW]
    return queryset.filter(pk__in=ids), newest.exclude(pk__in=ids)


def highlight(model, objects, text, field, *, max_words=35):
    """Attach ``obj.snippet``: an HTML-safe excerpt of ``field`` with the matches marked.

    One query for the whole page on PostgreSQL (ts_headline); Python on SQLite.
    """
    objects = list(objects)
    if not objects or not text:
        return objects
    if is_postgresql():
        headlines = dict(
            model.objects.filter(pk__in=[obj.pk for obj in objects])
            .annotate(
                snippet=SearchHeadline(
                    field,
                    search_query(text),
                    config=CONFIG,
                    start_sel=START,
                    stop_sel=STOP,
                    max_words=max_words,
                    min_words=max_words // 2,
                    short_word=3,
                    highlight_all=False,
                )
            )
            .values_list("pk", "snippet")
        )
        for obj in objects:
            obj.snippet = _marked(headlines.get(obj.pk, ""))
    else:
        words = terms(text)
        for obj in objects:
            obj.snippet = _python_snippet(getattr(obj, field) or "", words, max_words)
    return objects


def _marked(raw):
    return mark_safe(escape(raw).replace(START, "<mark>").replace(STOP, "</mark>"))


def _python_snippet(value, words, max_words):
    tokens = value.split()
    first = next(
        (i for i, token in enumerate(tokens) if any(w in token.lower() for w in words)),
        0,
    )
    start = max(0, first - max_words // 3)
    window = tokens[start : start + max_words]
    out = []
    for token in window:
        if any(w in token.lower() for w in words):
            out.append(f"{START}{token}{STOP}")
        else:
            out.append(token)
    text = " ".join(out)
    if start > 0:
        text = "… " + text
    if start + max_words < len(tokens):
        text += " …"
    return _marked(text)
