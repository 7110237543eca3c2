"""Keyset ("cursor") pagination for the API: page 10,000 costs what page 1 costs.

The cursor holds the sort-key values of the last row shown, and the next page is the rows
strictly after them in the list's order (``WHERE (date, id) < (…)``), served by the
(date, id) indexes, never an OFFSET. Any ordering the FilterSet allows works, ties broken by
id, dates missing sort last. Relevance order (``q`` without ``ordering`` on PostgreSQL) has
float ranks, not keys; it pages by offset up to MAX_RELEVANCE_OFFSET (``search.ranked_slice``:
the newest matches best first, then the older ones newest first).
"""

import base64
import binascii
import json
from dataclasses import dataclass

from django.db.models import F, Q
from django.db.models.expressions import OrderBy
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from core import search

MAX_RELEVANCE_OFFSET = 10_000


@dataclass(frozen=True)
class Key:
    name: str
    descending: bool
    nullable: bool


def ordering_keys(queryset):
    """The queryset's ordering as keys, or None when it sorts by something that is not a column."""
    model = queryset.model
    keys = []
    for item in queryset.query.order_by or model._meta.ordering:
        if isinstance(item, str):
            descending, name = item.startswith("-"), item.lstrip("-")
        elif isinstance(item, OrderBy) and isinstance(item.expression, F):
            descending, name = item.descending, item.expression.name
        else:
            return None
        if name == "pk":
            name = model._meta.pk.name
        try:
            field = model._meta.get_field(name)
        except Exception:
            return None  # an annotation (the search rank)
        keys.append(Key(name, descending, field.null))
    if not keys or keys[-1].name != model._meta.pk.name:
        keys.append(Key(model._meta.pk.name, keys[-1].descending if keys else False, False))
    return keys


def order_by(keys, reverse=False):
    ordering = []
    for key in keys:
        descending = key.descending != reverse
        expression = F(key.name)
        if not key.nullable:
            # Plain ASC/DESC: only that matches the (date, id) indexes; NULLS LAST on a column
            # without NULLs would make PostgreSQL sort the whole table instead.
            ordering.append(expression.desc() if descending else expression.asc())
            continue
        # Missing values sort last in the list's order, so first when walking it backwards.
        nulls = {"nulls_first": True} if reverse else {"nulls_last": True}
        ordering.append(expression.desc(**nulls) if descending else expression.asc(**nulls))
    return ordering


def after(keys, values, reverse=False):
    """Rows strictly after ``values`` in the keys' order (before it, with ``reverse``)."""
    condition = _after(keys, values, reverse)
    key, value = keys[0], values[0]
    if value is not None and not key.nullable:
        # The same bound once more, as a plain range on the first key: it lets PostgreSQL start
        # an index scan at the cursor instead of OR-ing bitmaps and sorting (EXPLAIN in bench/).
        descending = key.descending != reverse
        condition &= Q(**{f"{key.name}__{'lte' if descending else 'gte'}": value})
    return condition


def _after(keys, values, reverse):
    key, value = keys[0], values[0]
    descending = key.descending != reverse
    comparison = "lt" if descending else "gt"
    if value is None:
        # Missing values come last: only other missing values follow (or, backwards, every present one).
        strictly = Q(**{f"{key.name}__isnull": False}) if reverse else Q(pk__in=[])
        equal = Q(**{f"{key.name}__isnull": True})
    else:
        strictly = Q(**{f"{key.name}__{comparison}": value})
        if key.nullable and not reverse:
            strictly |= Q(**{f"{key.name}__isnull": True})
        equal = Q(**{key.name: value})
    if len(keys) == 1:
        return strictly
    return strictly | (equal & _after(keys[1:], values[1:], reverse))


class KeysetPagination(BasePagination):
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    page_size = 25
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size_value = self.get_page_size(request)
        cursor = self.decode_cursor(request)
        keys = ordering_keys(queryset)
        self.keys = keys
        self.has_next = self.has_previous = False
        self.first_values = self.last_values = None
        if keys is None:
            return self.paginate_by_offset(queryset, cursor)

        reverse = bool(cursor and cursor.get("r"))
        if cursor:
            values = self.cursor_values(cursor, keys, queryset.model)
            queryset = queryset.filter(after(keys, values, reverse))
        rows = list(queryset.order_by(*order_by(keys, reverse))[: self.page_size_value + 1])
        more = len(rows) > self.page_size_value
        rows = rows[: self.page_size_value]
        if reverse:
            rows.reverse()
            self.has_previous, self.has_next = more, True
        else:
            self.has_next, self.has_previous = more, bool(cursor)
        if rows:
            self.first_values = [self.key_value(rows[0], key) for key in keys]
            self.last_values = [self.key_value(rows[-1], key) for key in keys]
        return rows

    def paginate_by_offset(self, queryset, cursor):
        offset = 0
        if cursor:
            offset = cursor.get("o")
            if not isinstance(offset, int) or not 0 <= offset <= MAX_RELEVANCE_OFFSET:
                raise ValidationError({"cursor": ["Invalid cursor."]})
        rows = search.ranked_slice(queryset, offset, offset + self.page_size_value + 1)
        self.offset = offset
        self.has_next = len(rows) > self.page_size_value and offset + self.page_size_value < MAX_RELEVANCE_OFFSET
        self.has_previous = offset > 0
        return rows[: self.page_size_value]

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw in (None, ""):
            return self.page_size
        # Length first: int() of a few thousand digits is a ValueError, not a number to compare.
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 9) or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError({self.page_size_query_param: [f"Use a whole number from 1 to {self.max_page_size}."]})
        return int(raw)

    def decode_cursor(self, request):
        raw = request.query_params.get(self.cursor_query_param)
        if not raw:
            return None
        try:
            cursor = json.loads(base64.urlsafe_b64decode(raw.encode("ascii") + b"=" * (-len(raw) % 4)))
        except (ValueError, UnicodeEncodeError, binascii.Error):
            raise ValidationError({self.cursor_query_param: ["Invalid cursor."]}) from None
        if not isinstance(cursor, dict):
            raise ValidationError({self.cursor_query_param: ["Invalid cursor."]})
        return cursor

    def cursor_values(self, cursor, keys, model):
        values = cursor.get("p")
        if not isinstance(values, list) or len(values) != len(keys):
            raise ValidationError({self.cursor_query_param: ["Invalid cursor (it belongs to another ordering)."]})
        parsed = []
        for key, value in zip(keys, values, strict=True):
            if value is None:
                if not key.nullable:
                    raise ValidationError({self.cursor_query_param: ["Invalid cursor."]})
                parsed.append(None)
                continue
            try:
                field = model._meta.get_field(key.name)
                value = field.to_python(value)
                # What the column can hold, checked here: a NUL byte in a title, a longer title
                # or an id beyond 64 bits would otherwise reach the database, as an error (a 500).
                field.run_validators(value)
            except Exception:
                raise ValidationError({self.cursor_query_param: ["Invalid cursor."]}) from None
            if isinstance(value, str) and "\x00" in value:
                raise ValidationError({self.cursor_query_param: ["Invalid cursor."]})
            parsed.append(value)
        return parsed

    @staticmethod
    def key_value(row, key):
        value = getattr(row, key.name)
        return value.isoformat() if hasattr(value, "isoformat") else value

    def encode(self, payload):
        raw = json.dumps(payload, separators=(",", ":"), default=str).encode()
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")

    def link(self, payload):
        url = self.request.build_absolute_uri()
        if payload is None:
            return remove_query_param(url, self.cursor_query_param)
        return replace_query_param(url, self.cursor_query_param, self.encode(payload))

    def get_next_link(self):
        if not self.has_next:
            return None
        if self.keys is None:
            return self.link({"o": self.offset + self.page_size_value})
        return self.link({"p": self.last_values})

    def get_previous_link(self):
        if not self.has_previous:
            return None
        if self.keys is None:
            previous = max(0, self.offset - self.page_size_value)
            return self.link({"o": previous} if previous else None)
        if self.first_values is None:
            return self.link(None)
        return self.link({"p": self.first_values, "r": True})

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque position from a response's next or previous link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Results per page, 1 to {self.max_page_size} (default {self.page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size, "default": self.page_size},
            },
        ]
