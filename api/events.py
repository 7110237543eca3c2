from django.db.models import Case, OuterRef, TextField, Value, When
from django.db.models.functions import Cast, Concat
from rest_framework import mixins, viewsets

from api.base import PublishedViewSet
from api.exports import joined
from api.serializers.events import EventSerializer, EventTypeSerializer, QuoteSerializer, SourceSerializer
from api.writes import EditorWritesMixin, WorkflowActionsMixin
from events import selectors
from events.filters import EventFilter, QuoteFilter, SourceFilter
from events.models import Event, EventType, Quote, Source


class EventViewSet(EditorWritesMixin, WorkflowActionsMixin, PublishedViewSet):
    """Events: who did what with whom, when. Filter with the same parameters as /events/."""

    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    queryset = Event.objects.all()
    selector = staticmethod(selectors.events_for)
    serializer_class = EventSerializer
    filterset_class = EventFilter
    lookup_field = "slug"
    export_columns = (
        ("slug", "slug"),
        ("title", "title"),
        ("type", "event_type__code"),
        ("type_name", "event_type__name"),
        ("quad_class", "event_type__quad_class"),
        ("start_date", "start_date"),
        ("end_date", "end_date"),
        ("date_precision", "date_precision"),
        ("location", "location"),
        ("country", "country"),
        ("participants", "public_summary__participants"),
        ("sources", "public_summary__sources"),
        ("quote_count", "quote_count"),
        ("summary", "summary"),
    )

    def get_export_columns(self):
        """The public's participants and sources are read from the event's public summary; an
        editor's preview (?status=) joins the rows that editor sees, as the JSON shows them."""
        if not self.previewing:
            return self.export_columns
        previewed = {
            "participants": joined(
                selectors.participations_of(OuterRef("pk"), **self.links),
                Concat("actor__slug", Value(":"), "role", output_field=TextField()),
            ),
            "sources": joined(selectors.citations_of(OuterRef("pk"), **self.links), Cast("source_id", TextField())),
        }
        return tuple((name, previewed.get(name, column)) for name, column in self.export_columns)

    def with_links(self, queryset):
        """Participants, sources and the quote count the reader sees (events.selectors). The
        public's count is stored per event (EventSummary), and the CSV export reads its
        participants and sources from there too (``public_summary__…`` columns)."""
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
