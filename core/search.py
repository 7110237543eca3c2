"""Full-text search: a stored, indexed document column on PostgreSQL, a working fallback on SQLite.

Each searchable model has a ``search_document`` GeneratedField built by ``SearchDocument``:
on PostgreSQL a weighted ``tsvector`` (GIN-indexed), on SQLite the lower-cased text.
``search()`` filters and, on PostgreSQL, ranks; ``highlight()`` makes snippets for one page
of results only, so the cost does not grow with the size of the result.
"""

import re

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVectorField
from django.db import connection, models
from django.db.models import F
from django.utils.html import escape
from django.utils.safestring import mark_safe

CONFIG = "english"
MAX_QUERY_LENGTH = 200
# Sentinels around matches in ts_headline output: the text is HTML-escaped first, then
# they become <mark>; an editor's text containing HTML stays inert.
START, STOP = "\x02", "\x03"


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
