"""Facet counts beside a list, as on Datasette: each value links to the list with that filter added."""

from dataclasses import dataclass, field

from django.db.models import Count
from django.db.models.functions import ExtractYear


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
    """The current query string with ``params`` set, ``remove`` dropped, and the page reset."""
    query = request.GET.copy()
    for name in ("page", *remove, *params):
        query.pop(name, None)
    for name, value in params.items():
        query[name] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


def value_facet(request, queryset, title, field_name, param, *, limit=15, labels=None, label_field=None):
    """Counts by a column's values; the active value's link removes the filter.

    Labels come from ``labels`` (a dict), from ``label_field`` grouped alongside, or are the values."""
    current = request.GET.get(param, "")
    columns = [field_name, label_field] if label_field else [field_name]
    rows = (
        queryset.order_by()
        .exclude(**{field_name: ""})
        .values_list(*columns)
        .annotate(n=Count("pk"))
        .order_by("-n", field_name)[:limit]
    )
    facet = Facet(title)
    for row in rows:
        value, label, count = row[0], row[1] if label_field else row[0], row[-1]
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


def year_facet(request, queryset, date_field, *, limit=40):
    """Counts by year of ``date_field``; a year's link sets date_from and date_to to it."""
    current = (request.GET.get("date_from", ""), request.GET.get("date_to", ""))
    rows = (
        queryset.order_by()
        .exclude(**{f"{date_field}__isnull": True})
        .annotate(year=ExtractYear(date_field))
        .values_list("year")
        .annotate(n=Count("pk"))
        .order_by("-year")[:limit]
    )
    facet = Facet("Year")
    for year, count in rows:
        active = current == (str(year), str(year))
        url = (
            url_with(request, remove=["date_from", "date_to"])
            if active
            else url_with(request, date_from=str(year), date_to=str(year))
        )
        facet.items.append(FacetItem(label=str(year), count=count, url=url, active=active))
    return facet
