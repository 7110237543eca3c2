"""API representations: everything a consumer needs in one response, references by slug or id.

A reference field (``type``, ``speaker``, ``source``, ``event``) reads and writes the same value
(a code, slug or id); read-only companions (``type_name``, ``speaker_name``…) save a second request.
Related rows arrive prefetched by the viewsets, filtered by the reader's rule (events.selectors).
"""

from django.db import transaction
from django.utils import timezone
from rest_framework import serializers

from actors import selectors as actor_selectors
from actors.models import Actor
from api.serializers.base import (
    CompleteRowsMixin,
    IdRelatedField,
    LinksMixin,
    ModelValidationMixin,
    RowListSerializer,
    SlugRelatedField,
    SparseFieldsMixin,
    absolute,
    replace_rows,
)
from core.addresses import address_of
from events import selectors
from events.models import Citation, Event, EventType, Participation, Quote, Source


class EventTypeSerializer(SparseFieldsMixin, serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = EventType
        fields = ["code", "slug", "name", "quad_class", "score", "parent", "description"]


class ParticipantSerializer(CompleteRowsMixin, serializers.ModelSerializer):
    actor = SlugRelatedField(slug_field="slug", queryset=Actor.objects.all(), selector=actor_selectors.actors_for)
    name = serializers.CharField(source="actor.name", read_only=True)
    kind = serializers.CharField(source="actor.kind", read_only=True)
    api_url = serializers.SerializerMethodField()

    class Meta:
        model = Participation
        fields = ["actor", "name", "kind", "role", "api_url"]
        list_serializer_class = RowListSerializer

    def get_api_url(self, obj) -> str:
        return absolute(self, f"/api/actors/{obj.actor.slug}/")


class CitedSourceSerializer(CompleteRowsMixin, serializers.ModelSerializer):
    source = IdRelatedField(queryset=Source.objects.all(), selector=selectors.sources_for)
    title = serializers.CharField(source="source.title", read_only=True)
    url = serializers.CharField(source="source.url", read_only=True)
    publisher = serializers.CharField(source="source.publisher", read_only=True)
    api_url = serializers.SerializerMethodField()

    class Meta:
        model = Citation
        fields = ["source", "title", "url", "publisher", "locator", "note", "api_url"]
        list_serializer_class = RowListSerializer

    def get_api_url(self, obj) -> str:
        return absolute(self, f"/api/sources/{obj.source_id}/")


class EventSerializer(SparseFieldsMixin, ModelValidationMixin, LinksMixin, serializers.ModelSerializer):
    type = serializers.SlugRelatedField(
        source="event_type", slug_field="code", queryset=EventType.objects.all(), help_text="CAMEO code, e.g. 042."
    )
    type_name = serializers.CharField(source="event_type.name", read_only=True)
    quad_class = serializers.CharField(source="event_type.quad_class", read_only=True)
    participants = ParticipantSerializer(many=True, source="participations", required=False)
    sources = CitedSourceSerializer(many=True, source="citations", required=False)
    quote_count = serializers.IntegerField(read_only=True, help_text="Published quotes about this event.")
    date_display = serializers.CharField(read_only=True)

    class Meta:
        model = Event
        api_path = "/api/events/{obj.slug}/"
        fields = [
            "slug",
            "title",
            "summary",
            "type",
            "type_name",
            "quad_class",
            "start_date",
            "end_date",
            "date_precision",
            "period_end",
            "date_display",
            "location",
            "country",
            "participants",
            "sources",
            "quote_count",
            "status",
            "created_at",
            "updated_at",
            "api_url",
            "html_url",
        ]
        read_only_fields = ["status", "period_end", "created_at", "updated_at"]
        validation_exclude = ["created_by", "updated_by"]

    @transaction.atomic
    def create(self, validated_data):
        participations = validated_data.pop("participations", [])
        citations = validated_data.pop("citations", [])
        event = Event.objects.create(**validated_data)
        self._replace_related(event, participations, citations, user=self.writer)
        return event

    @transaction.atomic
    def update(self, instance, validated_data):
        participations = validated_data.pop("participations", None)
        citations = validated_data.pop("citations", None)
        event = super().update(instance, validated_data)
        self._replace_related(event, participations, citations, user=self.writer)
        return event

    @property
    def writer(self):
        request = self.context.get("request")
        return request.user if request else None

    @staticmethod
    def _replace_related(event, participations, citations, *, user):
        """A list given in a write replaces the event's participants or sources that the writer
        sees (an editor's view: events.selectors); omitted, they are kept. Rows linking to an
        unpublished entry the writer may not see are not theirs to remove: they stay."""
        links = {"user": user, "previewing": True}
        if participations is not None:
            replace_rows(
                selectors.participations_of(event, **links),
                participations,
                model=Participation,
                parent={"event": event},
                key=lambda row: (row.actor_id, row.role),
            )
        if citations is not None:
            replace_rows(
                selectors.citations_of(event, **links),
                citations,
                model=Citation,
                parent={"event": event},
                key=lambda row: row.source_id,
            )

    def validate_participants(self, rows):
        seen = set()
        for row in rows:
            key = (row["actor"].pk, row.get("role", "participant"))
            if key in seen:
                raise serializers.ValidationError(f"“{row['actor'].slug}” is listed twice with the role {key[1]}.")
            seen.add(key)
        return rows

    def validate_sources(self, rows):
        ids = [row["source"].pk for row in rows]
        if len(ids) != len(set(ids)):
            raise serializers.ValidationError("A source is cited twice.")
        return rows


def _datetime(value, zone):
    """What DRF's DateTimeField gives (ISO 8601 in the current time zone ``zone``, UTC as Z),
    without its per-value overhead."""
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def public_event_representation(*, fields, base_url):
    """A function from a row of the public read model (``PublicEvent``) to exactly what
    ``EventSerializer`` gives for the same public event, limited to ``fields`` (the serializer's
    after ``?fields=``). Built from the row's columns: no model instance per participant or
    source and no serializer field per value, which was most of an uncached list's time
    (bench/README.md). The schema stays EventSerializer's; tests compare the two for every
    public event."""

    def participants(row):
        return [
            {
                "actor": p["actor"],
                "name": p["name"],
                "kind": p["kind"],
                "role": p["role"],
                "api_url": f"{base_url}/api/actors/{p['actor']}/",
            }
            for p in row.participants
        ]

    def sources(row):
        return [
            {
                "source": c["source"],
                "title": c["title"],
                "url": c["url"],
                "publisher": c["publisher"],
                "locator": c["locator"],
                "note": c["note"],
                "api_url": f"{base_url}/api/sources/{c['source']}/",
            }
            for c in row.sources
        ]

    page_url = address_of("events:detail", "slug", prefix=base_url)
    zone = timezone.get_current_timezone()  # once per list: looking it up was a tenth of a row
    values = {
        "slug": lambda row: row.slug,
        "title": lambda row: row.title,
        "summary": lambda row: row.summary,
        "type": lambda row: row.type_code,
        "type_name": lambda row: row.type_name,
        "quad_class": lambda row: row.quad_class,
        "start_date": lambda row: row.start_date.isoformat(),
        "end_date": lambda row: row.end_date.isoformat() if row.end_date else None,
        "date_precision": lambda row: row.date_precision,
        "period_end": lambda row: row.period_end.isoformat(),
        "date_display": lambda row: row.date_display,
        "location": lambda row: row.location,
        "country": lambda row: row.country,
        "participants": participants,
        "sources": sources,
        "quote_count": lambda row: row.quote_count,
        "status": lambda row: "published",
        "created_at": lambda row: _datetime(row.created_at, zone),
        "updated_at": lambda row: _datetime(row.updated_at, zone),
        "api_url": lambda row: f"{base_url}/api/events/{row.slug}/",
        "html_url": lambda row: page_url(row.slug),  # reversed once (core.addresses)
    }
    getters = [(name, values[name]) for name in fields]
    return lambda row: {name: get(row) for name, get in getters}


def public_quote_representation(*, fields, base_url):
    """A function from a quote of a public list (its speaker, source and event joined, and
    ``event_is_visible`` attached: QuoteViewSet) to exactly what ``QuoteSerializer`` gives for
    it, limited to ``fields``. DRF's fields, one per value and a nested lookup for each of the
    speaker's and source's, were most of an uncached quotes list's Python (bench/README.md); the
    schema stays QuoteSerializer's, and a test compares the two for every public quote."""
    page_url = address_of("events:quote-detail", "pk", prefix=base_url)
    zone = timezone.get_current_timezone()
    values = {
        "id": lambda quote: quote.id,
        "text": lambda quote: quote.text,
        "speaker": lambda quote: quote.speaker.slug,
        "speaker_name": lambda quote: quote.speaker.name,
        "speaker_kind": lambda quote: quote.speaker.kind,
        "speaker_title": lambda quote: quote.speaker_title,
        "said_on": lambda quote: quote.said_on.isoformat() if quote.said_on else None,
        "said_on_precision": lambda quote: quote.said_on_precision,
        "said_on_display": lambda quote: quote.said_on_display,
        "source": lambda quote: quote.source_id,
        "source_title": lambda quote: quote.source.title,
        "source_url": lambda quote: quote.source.url,
        "source_publisher": lambda quote: quote.source.publisher,
        # A reference to an event the reader cannot see is left out (QuoteSerializer's rule).
        "event": lambda quote: quote.event.slug if quote.event_id and quote.event_is_visible else None,
        "language": lambda quote: quote.language,
        "original_text": lambda quote: quote.original_text,
        "is_paraphrase": lambda quote: quote.is_paraphrase,
        "status": lambda quote: quote.status,
        "created_at": lambda quote: _datetime(quote.created_at, zone),
        "updated_at": lambda quote: _datetime(quote.updated_at, zone),
        "api_url": lambda quote: f"{base_url}/api/quotes/{quote.id}/",
        "html_url": lambda quote: page_url(quote.id),
    }
    getters = [(name, values[name]) for name in fields]
    return lambda quote: {name: get(quote) for name, get in getters}


class QuoteSerializer(SparseFieldsMixin, ModelValidationMixin, LinksMixin, serializers.ModelSerializer):
    speaker = SlugRelatedField(slug_field="slug", queryset=Actor.objects.all(), selector=actor_selectors.actors_for)
    speaker_name = serializers.CharField(source="speaker.name", read_only=True)
    speaker_kind = serializers.CharField(source="speaker.kind", read_only=True)
    source = IdRelatedField(queryset=Source.objects.all(), selector=selectors.sources_for)
    source_title = serializers.CharField(source="source.title", read_only=True)
    source_url = serializers.CharField(source="source.url", read_only=True)
    source_publisher = serializers.CharField(source="source.publisher", read_only=True)
    event = SlugRelatedField(
        slug_field="slug",
        queryset=Event.objects.all(),
        selector=selectors.events_for,
        allow_null=True,
        required=False,
    )
    said_on_display = serializers.CharField(read_only=True)

    class Meta:
        model = Quote
        api_path = "/api/quotes/{obj.pk}/"
        fields = [
            "id",
            "text",
            "speaker",
            "speaker_name",
            "speaker_kind",
            "speaker_title",
            "said_on",
            "said_on_precision",
            "said_on_display",
            "source",
            "source_title",
            "source_url",
            "source_publisher",
            "event",
            "language",
            "original_text",
            "is_paraphrase",
            "status",
            "created_at",
            "updated_at",
            "api_url",
            "html_url",
        ]
        read_only_fields = ["status", "created_at", "updated_at"]
        validation_exclude = ["created_by", "updated_by"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # A reference to an event the reader cannot see is left out, not dangling. Lists and
        # exports load the answer for all their rows, an address with its quote (QuoteViewSet); a
        # quote written that its writer may not read back asks here.
        if "event" in data and instance.event_id:
            if not hasattr(instance, "event_is_visible"):
                request = self.context.get("request")
                selectors.attach_event_visibility(
                    [instance], user=request.user if request else None, previewing=self.context.get("previewing", False)
                )
            if not instance.event_is_visible:
                data["event"] = None
        return data


class SourceSerializer(SparseFieldsMixin, ModelValidationMixin, LinksMixin, serializers.ModelSerializer):
    class Meta:
        model = Source
        api_path = "/api/sources/{obj.pk}/"
        fields = [
            "id",
            "title",
            "url",
            "publisher",
            "author",
            "published_on",
            "language",
            "kind",
            "archive_url",
            "status",
            "created_at",
            "updated_at",
            "api_url",
            "html_url",
        ]
        read_only_fields = ["status", "created_at", "updated_at"]
        validation_exclude = ["created_by", "updated_by"]
