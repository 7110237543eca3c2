"""Facet counts beside a list, as on Datasette: each value links to the list with that filter added."""

from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db import connections
from django.db.models import F


@dataclass
class FacetItem:
    label: str
    count: int
    url: str
    active: bool = False


@dataclass
class Facet:
    title: str
    items: list = field(default_factory=list)


def url_with(request, remove=(), **params):
    """The current query string with ``params`` set (at the end), ``remove`` dropped, and the
    page reset; encoded as QueryDict.urlencode does. (Not through a copy of request.GET: a list
    page builds some eighty of these, and the copies were a tenth of its time.)"""
    dropped = {"page", *remove, *params}
    pairs = [(name, value) for name, values in request.GET.lists() if name not in dropped for value in values]
    encoded = urlencode([*pairs, *params.items()])
    return f"?{encoded}" if encoded else "?"


def capped_grouped_counts(queryset, cap, **columns):
    """The number of filtered rows, up to ``cap`` + 1, and, when there are ``cap`` or fewer, their
    counts by each of ``columns`` (name: a field, an expression, or a (value field, label field)
    pair): ``(total, {name: Counter})``, or ``(cap + 1, None)`` beyond the cap.

    One query reads at most ``cap`` + 1 of the filtered rows and groups them by each column
    (PostgreSQL), or by all the columns together, the groups then summed per column here
    (SQLite). Why one: a list's count and its facets
    read the same rows, and at a million events those reads are the page's cost
    (bench/README.md)."""
    aliases, exprs = {}, {}
    for name, column in columns.items():
        parts = column if isinstance(column, tuple) else (column,)
        aliases[name] = []
        for n, part in enumerate(parts):
            alias = f"facet_{name}_{n}"
            exprs[alias] = F(part) if isinstance(part, str) else part
            aliases[name].append(alias)
    rows = queryset.order_by().annotate(**exprs).values_list(*exprs)[: cap + 1]
    sql, params = rows.query.sql_with_params()
    connection = connections[queryset.db]
    quoted = {alias: f"capped.{connection.ops.quote_name(alias)}" for alias in exprs}
    selected = ", ".join(quoted.values())
    if connection.vendor == "postgresql":
        # Grouped by each column apart (GROUPING SETS): a few hundred groups come back, where
        # grouping by all of them together gave up to one per row to sum here (3 ms of Python
        # for a page of 10,000 rows). GROUPING() says which column a group is of: one bit per
        # column, the first the highest, set where the group is not by that column.
        sets = ", ".join(f"({', '.join(quoted[alias] for alias in names)})" for names in aliases.values())
        sql = f"SELECT {selected}, GROUPING({selected}), COUNT(*) FROM ({sql}) capped GROUP BY GROUPING SETS ({sets})"
        bits = {alias: 1 << (len(exprs) - 1 - index) for index, alias in enumerate(exprs)}
        of_mask = {sum(bits.values()) - sum(bits[alias] for alias in names): name for name, names in aliases.items()}
        counted_by = lambda row: (of_mask[row[-2]],)  # noqa: E731
    else:
        sql = f"SELECT {selected}, COUNT(*) FROM ({sql}) capped GROUP BY {selected}"
        counted_by = lambda row: aliases  # noqa: E731
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        groups = cursor.fetchall()
    # Every row is counted once among the first column's groups.
    first = next(iter(aliases))
    total = sum(row[-1] for row in groups if first in counted_by(row))
    if total > cap:
        return total, None
    positions = {alias: index for index, alias in enumerate(exprs)}
    counts = {name: Counter() for name in columns}
    for row in groups:
        for name in counted_by(row):
            key = tuple(row[positions[alias]] for alias in aliases[name])
            counts[name][key if len(key) > 1 else key[0]] += row[-1]
    return total, counts


def value_facet(request, counts, title, param, *, limit=15, labels=None):
    """The ``limit`` most frequent values of ``counts`` (from capped_grouped_counts), blank ones left
    out; the active value's link removes the filter. A value may be a (value, label) pair;
    else its label comes from ``labels`` (a dict) or is the value."""
    current = request.GET.get(param, "")
    facet = Facet(title)
    items = [(key, n) for key, n in counts.items() if (key[0] if isinstance(key, tuple) else key) not in ("", None)]
    for key, count in sorted(items, key=lambda item: (-item[1], str(item[0])))[:limit]:
        value, label = key if isinstance(key, tuple) else (key, key)
        active = str(value).lower() == current.lower()
        facet.items.append(
            FacetItem(
                label=(labels or {}).get(value, label),
                count=count,
                url=url_with(request, remove=[param]) if active else url_with(request, **{param: value}),
                active=active,
            )
        )
    return facet


def year_facet(request, counts, *, limit=40):
    """Counts by year (``counts`` from capped_grouped_counts over ExtractYear), newest first; a year's
    link sets date_from and date_to to it. Undated rows are left out."""
    current = (request.GET.get("date_from", ""), request.GET.get("date_to", ""))
    facet = Facet("Year")
    for year in sorted((year for year in counts if year is not None), reverse=True)[:limit]:
        active = current == (str(year), str(year))
        url = (
            url_with(request, remove=["date_from", "date_to"])
            if active
            else url_with(request, date_from=str(year), date_to=str(year))
        )
        facet.items.append(FacetItem(label=str(year), count=counts[year], url=url, active=active))
    return facet
