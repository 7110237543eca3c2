"""``/api/changes/?since=…``: what changed in the published record, for consumers that sync.

Built from the history tables: a record of a published entry is ``created`` (its first
version) or ``updated``; a record of a withdrawn entry is ``withdrawn`` (drop it). Drafts and
entries in review never appear. Ordered by time, paged by cursor like every list.
"""

import base64
import binascii
import datetime
import json

from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from actors.models import Actor
from events.models import Event, Quote, Source

from .pagination import KeysetPagination
from .publishing import PUBLIC_STATES

RESOURCES = (
    ("event", Event, "slug", "/api/events/{}/"),
    ("actor", Actor, "slug", "/api/actors/{}/"),
    ("quote", Quote, "id", "/api/quotes/{}/"),
    ("source", Source, "id", "/api/sources/{}/"),
)

CHANGE_FIELDS = {
    "resource": serializers.ChoiceField(choices=[name for name, *_ in RESOURCES]),
    "id": serializers.CharField(help_text="Slug for events and actors, id for quotes and sources."),
    "change": serializers.ChoiceField(choices=["created", "updated", "withdrawn"]),
    "at": serializers.DateTimeField(),
    "api_url": serializers.URLField(allow_null=True),
}


class ChangesView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "since", OpenApiTypes.DATETIME, required=True, description="ISO 8601 time, e.g. 2026-11-01T00:00:00Z."
            ),
            OpenApiParameter("cursor", OpenApiTypes.STR, description="From the response's next link."),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="1 to 100 (default 25)."),
        ],
        responses=inline_serializer(
            "ChangesPage",
            {
                "next": serializers.URLField(allow_null=True),
                "since": serializers.DateTimeField(),
                "results": inline_serializer("Change", CHANGE_FIELDS, many=True),
            },
        ),
    )
    def get(self, request):
        since = self.parse_since(request.query_params.get("since"))
        size = KeysetPagination().get_page_size(request)
        position = self.parse_cursor(request.query_params.get("cursor"))
        base = request.build_absolute_uri("/").rstrip("/")

        rows = []
        for name, model, key, path in RESOURCES:
            History = model.history.model
            records = History.objects.filter(history_date__gt=since, status__in=PUBLIC_STATES)
            if position:
                at, last_id = position["t"], position["ids"].get(name, 0)
                records = records.filter(history_date__gte=at).exclude(history_date=at, history_id__lte=last_id)
            for record in records.order_by("history_date", "history_id").only(
                "history_date", "history_id", "history_type", "status", key
            )[: size + 1]:
                rows.append((record.history_date, name, record, key, path))
        rows.sort(key=lambda row: (row[0], row[1], row[2].history_id))
        page, more = rows[:size], len(rows) > size

        results = []
        for at, name, record, key, path in page:
            identifier = getattr(record, key)
            if record.status == "withdrawn":
                change = "withdrawn"
            else:
                change = "created" if record.history_type == "+" else "updated"
            results.append(
                {
                    "resource": name,
                    "id": str(identifier),
                    "change": change,
                    "at": at.isoformat(),
                    "api_url": None if change == "withdrawn" else base + path.format(identifier),
                }
            )
        next_link = None
        if more and page:
            last_at = page[-1][0]
            ids = (position or {}).get("ids", {}) if position and position["t"] == last_at.isoformat() else {}
            ids = dict(ids)
            for at, name, record, *_ in page:
                if at == last_at:
                    ids[name] = max(ids.get(name, 0), record.history_id)
            cursor = base64.urlsafe_b64encode(json.dumps({"t": last_at.isoformat(), "ids": ids}).encode()).decode()
            next_link = request.build_absolute_uri(
                f"{request.path}?since={since.isoformat().replace('+', '%2B')}&page_size={size}&cursor={cursor.rstrip('=')}"
            )
        return Response({"next": next_link, "since": since.isoformat(), "results": results})

    @staticmethod
    def parse_since(raw):
        if not raw:
            raise ValidationError({"since": ["Required: an ISO 8601 time, such as 2026-11-01T00:00:00Z."]})
        try:
            value = parse_datetime(raw.strip())
        except ValueError:
            value = None
        if value is None:
            raise ValidationError({"since": [f"“{raw[:40]}” is not an ISO 8601 time, such as 2026-11-01T00:00:00Z."]})
        if value.tzinfo is None:
            raise ValidationError({"since": ["Give a time zone, such as Z or +01:00."]})
        try:
            # In UTC before it reaches the database: PostgreSQL refuses offsets beyond ±15:59.
            return value.astimezone(datetime.UTC)
        except (OverflowError, ValueError):
            raise ValidationError({"since": ["That time is out of range."]}) from None

    @staticmethod
    def parse_cursor(raw):
        if not raw:
            return None
        try:
            cursor = json.loads(base64.urlsafe_b64decode(raw.encode("ascii") + b"=" * (-len(raw) % 4)))
            cursor["t"] = str(cursor["t"])
            at = parse_datetime(cursor["t"])
            if at is None or at.tzinfo is None or not isinstance(cursor.get("ids"), dict):
                raise ValueError
            cursor["t"] = at.astimezone(datetime.UTC).isoformat()
            if not all(isinstance(v, int) for v in cursor["ids"].values()):
                raise ValueError
        except (ValueError, KeyError, TypeError, OverflowError, UnicodeEncodeError, binascii.Error):
            raise ValidationError({"cursor": ["Invalid cursor."]}) from None
        return cursor
