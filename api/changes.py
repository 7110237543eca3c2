"""``/api/changes/?since=…``: what changed in the public record, for consumers that sync.

Read from the public change log (``events.PublicChange``), which the database keeps: an entry
is ``created`` when it appears on the public site, ``updated`` when it (or its participants,
sources, aliases) changes while public, and ``withdrawn`` when it leaves, under the identifier
the public last saw, whatever took it off: its own withdrawal, an event's last source
withdrawn, a quote's speaker withdrawn, a renamed slug (the old one is withdrawn, the new one
created). Drafts and entries in review never appear. Ordered by time, paged by cursor.

What changes for a related entry is listed for that entry: when an actor or a source is
withdrawn or renamed, the actor or source is listed, not every event that names it.

A row is listed only once it can no longer be followed by an older one: a row's time is that of
its write, and it is visible from its commit, so a transaction still open may yet commit rows
older than those already listed. Rows from the start of the oldest open writing transaction on
are held back until it ends (``horizon``); a client that polls with ``since`` = the last ``at``
it saw misses nothing.
"""

import base64
import binascii
import datetime
import json

from django.db import connection
from django.db.models import Q
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api.pagination import KeysetPagination
from events.models import PublicChange, PublicChangeKind

PATHS = {
    "event": "/api/events/{}/",
    "actor": "/api/actors/{}/",
    "quote": "/api/quotes/{}/",
    "source": "/api/sources/{}/",
}

CHANGE_FIELDS = {
    "resource": serializers.ChoiceField(choices=list(PATHS)),
    "id": serializers.CharField(help_text="Slug for events and actors, id for quotes and sources."),
    "change": serializers.ChoiceField(choices=PublicChangeKind.values),
    "at": serializers.DateTimeField(),
    "api_url": serializers.URLField(allow_null=True),
}


def horizon():
    """On PostgreSQL, the start of the oldest transaction (of another connection) that has written
    and is still open: rows from then on may yet be joined by older ones. None when there is none
    (or on SQLite, where one writer at a time commits in the order it writes)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT min(xact_start) FROM pg_stat_activity WHERE backend_xid IS NOT NULL "
            "AND pid <> pg_backend_pid() AND datname = current_database()"
        )
        return cursor.fetchone()[0]


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

        rows = PublicChange.objects.filter(at__gt=since)
        held_from = horizon()
        if held_from is not None:
            rows = rows.filter(at__lt=held_from)
        if position:
            at, last_id = position
            # The range on its own too: it lets the index start at the cursor.
            rows = rows.filter(at__gte=at).filter(Q(at__gt=at) | Q(id__gt=last_id))
        page = list(rows.order_by("at", "id")[: size + 1])
        page, more = page[:size], len(page) > size
        results = [
            {
                "resource": row.resource,
                "id": row.identifier,
                "change": row.change,
                "at": row.at.isoformat(),
                "api_url": None
                if row.change == PublicChangeKind.WITHDRAWN
                else base + PATHS[row.resource].format(row.identifier),
            }
            for row in page
        ]
        next_link = None
        if more:
            last = page[-1]
            cursor = base64.urlsafe_b64encode(json.dumps({"t": last.at.isoformat(), "id": last.id}).encode()).decode()
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
        """(time, id) of the last row of the previous page, from the ``next`` link."""
        if not raw:
            return None
        try:
            cursor = json.loads(base64.urlsafe_b64decode(raw.encode("ascii") + b"=" * (-len(raw) % 4)))
            at = parse_datetime(str(cursor["t"]))
            last_id = cursor["id"]
            if at is None or at.tzinfo is None or isinstance(last_id, bool) or not isinstance(last_id, int):
                raise ValueError
            if not 0 <= last_id < 2**63:
                raise ValueError
            return at.astimezone(datetime.UTC), last_id
        except (ValueError, KeyError, TypeError, OverflowError, UnicodeEncodeError, binascii.Error):
            raise ValidationError({"cursor": ["Invalid cursor."]}) from None
