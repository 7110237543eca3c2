import functools
import itertools

from django.db.models import Case, OuterRef, TextField, Value, When
from django.db.models.functions import Cast, Concat
from rest_framework import mixins, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from api.base import PublishedViewSet
from api.exports import chunks_of, joined
from api.serializers.events import (
    EventSerializer,
    EventTypeSerializer,
    QuoteSerializer,
    SourceSerializer,
    public_event_representation,
    public_quote_representation,
)
from api.writes import EditorWritesMixin, WorkflowActionsMixin, etag
from core.publishing import Status
from events import selectors
from events.filters import EventFilter, PublicEventFilter, QuoteFilter, SourceFilter
from events.models import Event, EventType, Quote, Source


@functools.cache
def default_fields(serializer_class):
    """A serializer's fields, in order: building a serializer copies its fields (2-3 ms)."""
    return tuple(serializer_class().fields)


def shown_fields(view):
    """The fields a list shows: the serializer's, or those of ``?fields=`` (which the serializer checks)."""
    if "fields" in view.request.query_params:
        return list(view.get_serializer().fields)
    return default_fields(view.get_serializer_class())


class EventViewSet(EditorWritesMixin, WorkflowActionsMixin, PublishedViewSet):
    """Events: who did what with whom, when. Filter with the same parameters as /events/."""

    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    queryset = Event.objects.all()
    selector = staticmethod(selectors.events_for)
    serializer_class = EventSerializer
    lookup_field = "slug"
    # The public list and its exports read the read model (PublicEvent); an editor's list with
    # ?status= reads the events and their links as that editor sees them.
    export_columns = (
        ("slug", "slug"),
        ("title", "title"),
        ("type", "type_code"),
        ("type_name", "type_name"),
        ("quad_class", "quad_class"),
        ("start_date", "start_date"),
        ("end_date", "end_date"),
        ("date_precision", "date_precision"),
        ("location", "location"),
        ("country", "country"),
        ("participants", selectors.ParticipantList()),
        ("sources", "source_list"),
        ("quote_count", "quote_count"),
        ("summary", "summary"),
    )

    @property
    def filterset_class(self):
        # The same parameters either way; the schema describes them from the events' model.
        if self.reads_public_rows and not getattr(self, "swagger_fake_view", False):
            return PublicEventFilter
        return EventFilter

    def get_queryset(self):
        if self.reads_public_rows:
            return selectors.public_event_rows()
        return super().get_queryset()

    def retrieve(self, request, *args, **kwargs):
        # The public's address of an event: its read-model row, as the list shows it (the same
        # representation, two queries); an editor's preview and ?status= go the serializer's way.
        if self.previewing or self.status not in (None, Status.PUBLISHED):
            return super().retrieve(request, *args, **kwargs)
        row = selectors.public_event_row(kwargs[self.lookup_field])
        if row is None:
            raise NotFound("No Event matches the given query.")  # as get_object's 404 says
        response = Response(self.public_representation()(row))
        response["ETag"] = etag(row)
        return response

    def list(self, request, *args, **kwargs):
        if not self.reads_public_rows or getattr(request.accepted_renderer, "format", None) in ("csv", "ndjson"):
            return super().list(request, *args, **kwargs)
        represent = self.public_representation()
        page = selectors.with_participants(self.paginate_queryset(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response([represent(row) for row in page])

    def export_rows(self, queryset):
        if not self.reads_public_rows:
            return super().export_rows(queryset)
        # The participants of each chunk in one query (selectors.with_participants).
        return itertools.chain.from_iterable(selectors.with_participants(chunk) for chunk in chunks_of(queryset))

    def export_representation(self):
        if not self.reads_public_rows:
            return super().export_representation()
        return self.public_representation()

    def public_representation(self):
        """A read-model row to what EventSerializer says of the event (the public's list, address
        and exports). The serializer says which fields (and checks ?fields=); the row gives their
        values."""
        return public_event_representation(
            fields=shown_fields(self), base_url=self.request.build_absolute_uri("/").rstrip("/")
        )

    def get_export_columns(self):
        """An editor's list (?status=) joins the participants and sources that editor sees, as
        its JSON shows them; the public's reads them from the read model."""
        if self.reads_public_rows:
            return self.export_columns
        editors = {
            "type": "event_type__code",
            "type_name": "event_type__name",
            "quad_class": "event_type__quad_class",
            "participants": joined(
                selectors.participations_of(OuterRef("pk"), **self.links),
                Concat("actor__slug", Value(":"), "role", output_field=TextField()),
            ),
            "sources": joined(selectors.citations_of(OuterRef("pk"), **self.links), Cast("source_id", TextField())),
            "quote_count": "quote_count",
        }
        return tuple((name, editors.get(name, column)) for name, column in self.export_columns)

    def with_links(self, queryset):
        """Participants, sources and the quote count the reader sees (events.selectors)."""
        queryset = queryset.select_related("event_type").prefetch_related(
            selectors.participants(**self.links), selectors.citations(**self.links)
        )
        return selectors.quote_counts(queryset, **self.links)


class QuoteViewSet(EditorWritesMixin, WorkflowActionsMixin, PublishedViewSet):
    """Quotes and reported statements, each attributed and sourced."""

    lookup_value_regex = r"[1-9][0-9]{0,17}"  # fits a 64-bit id: larger is a 404, not an overflow
    queryset = Quote.objects.all()
    selector = staticmethod(selectors.quotes_for)
    serializer_class = QuoteSerializer
    filterset_class = QuoteFilter
    export_columns = (
        ("id", "id"),
        ("text", "text"),
        ("speaker", "speaker__slug"),
        ("speaker_name", "speaker__name"),
        ("speaker_title", "speaker_title"),
        ("said_on", "said_on"),
        ("said_on_precision", "said_on_precision"),
        ("is_paraphrase", Case(When(is_paraphrase=True, then=Value("true")), default=Value("false"))),
        ("source", "source_id"),
        ("event", Case(When(event_is_visible=True, then="event__slug"), default=Value(""))),
        ("language", "language"),
    )

    def list(self, request, *args, **kwargs):
        # The public's JSON list: each quote straight to a dict (public_quote_representation);
        # an editor's list (?status=) and the exports go DRF's way.
        if not self.reads_public_rows or getattr(request.accepted_renderer, "format", None) in ("csv", "ndjson"):
            return super().list(request, *args, **kwargs)
        represent = public_quote_representation(
            fields=shown_fields(self), base_url=request.build_absolute_uri("/").rstrip("/")
        )
        # Only the columns it shows: the joined event, actor and source rows whole were a third
        # of the list's time.
        queryset = self.filter_queryset(self.get_queryset()).only(*self.public_list_columns)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response([represent(quote) for quote in page])

    public_list_columns = (
        "text", "speaker_title", "said_on", "said_on_precision", "language", "original_text", "is_paraphrase",
        "status", "created_at", "updated_at", "speaker__slug", "speaker__name", "speaker__kind", "source__title",
        "source__url", "source__publisher", "event__slug",
    )  # fmt: skip

    def with_links(self, queryset):
        quotes = queryset.select_related("speaker", "source", "event")
        # One quote (a read or a write's answer): in the query. A list page: after it (paginate_queryset).
        return quotes if self.action == "list" else self.event_visibility(quotes)

    def event_visibility(self, quotes):
        return selectors.with_event_visibility(quotes, **self.links)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is None:
            return None
        return selectors.attach_event_visibility(page, **self.links)

    def export(self, queryset, renderer_format):
        return super().export(self.event_visibility(queryset), renderer_format)


class SourceViewSet(EditorWritesMixin, WorkflowActionsMixin, PublishedViewSet):
    """Sources: the articles, statements and reports that events and quotes cite."""

    lookup_value_regex = r"[1-9][0-9]{0,17}"  # fits a 64-bit id: larger is a 404, not an overflow
    queryset = Source.objects.all()
    selector = staticmethod(selectors.sources_for)
    serializer_class = SourceSerializer
    filterset_class = SourceFilter
    export_columns = tuple(
        (name, name)
        for name in ("id", "title", "url", "publisher", "author", "published_on", "language", "kind", "archive_url")
    )


class EventTypeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The CAMEO taxonomy: 20 root codes and finer codes beneath them."""

    lookup_value_regex = r"[0-9]{2,4}"
    queryset = EventType.objects.select_related("parent").order_by("code")
    serializer_class = EventTypeSerializer
    lookup_field = "code"
    pagination_class = None
    filter_backends = []
