"""Filter building blocks shared by the resources' FilterSets (pages and API alike).

Every parameter validates strictly and says what is wrong: a bad value is a form error
(400), never a 500 and never a silently ignored filter.
"""

import calendar
import copy
import datetime
import re

import django_filters
from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import F
from django.http import QueryDict
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from core import formats, search

SLUG_RE = re.compile(r"\A[-a-zA-Z0-9_]{1,300}\Z")
COUNTRY_RE = re.compile(formats.COUNTRY_CODE, re.IGNORECASE)
LANGUAGE_RE = re.compile(formats.LANGUAGE_TAG)
PARTIAL_DATE_RE = re.compile(r"\A([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?\Z")
MAX_VALUES = 20  # repeated parameters (?actor=a&actor=b…) accepted per request
BIGINT_MAX = 2**63 - 1


def parse_partial_date(value):
    """``"2022"``, ``"2022-02"`` or ``"2022-02-04"`` → (first day, last day) of that period."""
    match = PARTIAL_DATE_RE.match(value)
    if not match:
        raise forms.ValidationError(
            "“%(value)s” is not a date: use YYYY, YYYY-MM or YYYY-MM-DD.", params={"value": value[:40]}
        )
    year, month, day = (int(part) if part else None for part in match.groups())
    try:
        if month is None:
            return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        if day is None:
            return datetime.date(year, month, 1), datetime.date(year, month, calendar.monthrange(year, month)[1])
        date = datetime.date(year, month, day)
        return date, date
    except ValueError:
        raise forms.ValidationError("“%(value)s” is not a real date.", params={"value": value}) from None


class PartialDateField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 10)
        super().__init__(**kwargs)
        self.widget.attrs.update(placeholder="YYYY-MM-DD", inputmode="numeric")

    def clean(self, value):
        value = super().clean(value)
        return parse_partial_date(value) if value else None


@extend_schema_field(OpenApiTypes.STR)
class PartialDateFilter(django_filters.Filter):
    """Overlap of periods: ``date_from`` keeps entries ending on or after the start of its
    period, ``date_to`` those starting on or before the end of its period."""

    field_class = PartialDateField

    def __init__(self, *, bound, start_field, end_field, **kwargs):
        assert bound in ("from", "to")
        self.bound, self.start_field, self.end_field = bound, start_field, end_field
        super().__init__(**kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        first, last = value
        if self.bound == "from":
            return qs.filter(**{f"{self.end_field}__gte": first})
        return qs.filter(**{f"{self.start_field}__lte": last})


class SearchFilter(django_filters.CharFilter):
    """``q``: full-text search (see core.search)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", search.MAX_QUERY_LENGTH)
        kwargs.setdefault("label", "Search")
        super().__init__(**kwargs)

    def filter(self, qs, value):
        value = (value or "").strip()
        if not value:
            return qs
        return search.search(qs, value)


class MultipleValueWidget(forms.TextInput):
    """A repeatable GET parameter (``?actor=a&actor=b``); renders one text box per value."""

    def value_from_datadict(self, data, files, name):
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name)

    def format_value(self, value):
        if isinstance(value, (list, tuple)):
            value = value[0] if value else ""
        return super().format_value(value)


class SlugField(forms.CharField):
    """A slug that must name a published entry of ``queryset``; cleans to the entry."""

    def __init__(self, *, queryset, noun, lookup="slug", **kwargs):
        kwargs.setdefault("max_length", 300)
        super().__init__(**kwargs)
        self.queryset, self.noun, self.lookup = queryset, noun, lookup

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        return lookup_entries(self.queryset, [value], self.noun, self.lookup)[0]


class SlugListField(forms.Field):
    """Repeated slugs that must each name a published entry; cleans to the entries."""

    widget = MultipleValueWidget

    def __init__(self, *, queryset, noun, **kwargs):
        super().__init__(**kwargs)
        self.queryset, self.noun = queryset, noun

    def clean(self, value):
        if value in (None, ""):
            values = []
        elif isinstance(value, str):
            values = [value]
        else:
            values = list(value)
        values = list(dict.fromkeys(v.strip() for v in values if v and v.strip()))
        if not values:
            if self.required:
                raise forms.ValidationError("This field is required.")
            return []
        if len(values) > MAX_VALUES:
            raise forms.ValidationError(f"At most {MAX_VALUES} values of {self.noun} at once.")
        return lookup_entries(self.queryset, values, self.noun, "slug")


def lookup_entries(queryset, values, noun, lookup):
    """The entries of ``queryset`` named by ``values`` (slugs, or ids when ``lookup="pk"``), in order.

    Values are checked before they reach the database: a NUL byte or a 30-digit id is a
    form error here, not a database error later."""
    for value in values:
        ProhibitNullCharactersValidator()(value)
        if lookup == "pk":
            if not (value.isascii() and value.isdigit() and 0 < int(value) <= BIGINT_MAX):
                raise forms.ValidationError(
                    "“%(value)s” is not a valid %(noun)s id.", params={"value": value[:60], "noun": noun}
                )
        elif not SLUG_RE.match(value):
            raise forms.ValidationError(
                "“%(value)s” is not a valid %(noun)s: use the slug from its address.",
                params={"value": value[:60], "noun": noun},
            )
    keys = [int(v) for v in values] if lookup == "pk" else values
    # Unordered: the entries come back in the order of ``values``, not the model's.
    found = {getattr(entry, lookup): entry for entry in queryset.filter(**{f"{lookup}__in": keys}).order_by()}
    unknown = [v for v, key in zip(values, keys, strict=True) if key not in found]
    if unknown:
        raise forms.ValidationError(
            "Unknown %(noun)s: %(values)s.", params={"noun": noun, "values": ", ".join(f"“{v}”" for v in unknown)}
        )
    return [found[key] for key in keys]


class CountryField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 2)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return ""
        if not COUNTRY_RE.match(value):
            raise forms.ValidationError("Country is a two-letter ISO code, such as RU.")
        return value.upper()


class CountryFilter(django_filters.CharFilter):
    field_class = CountryField


class LanguageField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value and not LANGUAGE_RE.match(value):
            raise forms.ValidationError("Language is a BCP 47 tag such as en, pt or zh-Hant.")
        return value


class LanguageFilter(django_filters.CharFilter):
    field_class = LanguageField


class StableOrderingFilter(django_filters.OrderingFilter):
    """Ordering with the primary key as a tie-breaker, so pages never overlap or skip."""

    def filter(self, qs, value):
        value = [param for param in value or [] if param]  # "ordering=," holds empty names
        if not value:
            return qs
        ordering = []
        for param in value:
            name = self.get_ordering_value(param)
            field = qs.model._meta.get_field(name.lstrip("-"))
            if not field.null:
                ordering.append(name)  # plain, so the (field, id) indexes serve it
            elif name.startswith("-"):
                # Entries without a date sort last either way, on PostgreSQL and SQLite alike.
                ordering.append(F(name[1:]).desc(nulls_last=True))
            else:
                ordering.append(F(name).asc(nulls_last=True))
        tie_breaker = "-pk" if value[-1].startswith("-") else "pk"
        return qs.order_by(*ordering, tie_breaker)


class FilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start[0] > end[1]:
            raise forms.ValidationError("date_from is after date_to.")
        return cleaned


class BaseFilterSet(django_filters.FilterSet):
    """Orders search results by relevance (on PostgreSQL) unless ``ordering`` is given."""

    default_ordering = None  # the model's Meta.ordering

    class Meta:
        form = FilterForm

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        # django-filter deep-copies every filter (their querysets too) and builds a form class
        # for each request: about a tenth of an uncached list's Python (bench/README.md). A
        # filter keeps no state of its own but its model and parent, so each request gets
        # shallow copies; the form class is built once per FilterSet class, and its form copies
        # the fields per request as every Django form does.
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset, self.request, self.form_prefix = queryset, request, prefix
        self.filters = {}
        for name, base_filter in self.base_filters.items():
            filter_ = copy.copy(base_filter)
            filter_.model, filter_.parent = queryset.model, self
            self.filters[name] = filter_

    def get_form_class(self):
        cls = type(self)
        if "_form_class" not in cls.__dict__:  # one per class: a subclass has filters of its own
            fields = {name: filter_.field for name, filter_ in cls.base_filters.items()}
            cls._form_class = type(f"{cls.__name__}Form", (cls._meta.form,), fields)
        return cls._form_class

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        if data.get("ordering"):
            return queryset
        if data.get("q") and search.is_postgresql():
            return queryset.order_by(F("rank").desc(), *queryset.model._meta.ordering)
        return queryset

    @property
    def is_search(self):
        return bool(self.is_bound and self.form.is_valid() and self.form.cleaned_data.get("q"))


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class EntriesFilter(django_filters.Filter):
    """Repeatable slugs of published entries (``?speaker=a&speaker=b``): any of them (OR)."""

    field_class = SlugListField

    def filter(self, qs, value):
        return qs.filter(**{f"{self.field_name}__in": value}) if value else qs


@extend_schema_field(OpenApiTypes.STR)
class EntryFilter(django_filters.Filter):
    """One published entry by slug (or ``lookup="pk"``): ``?event=…``, ``?source=…``."""

    field_class = SlugField

    def filter(self, qs, value):
        return qs.filter(**{self.field_name: value}) if value else qs
