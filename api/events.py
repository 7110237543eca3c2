from django.db.models import Case, Count, F, IntegerField, OuterRef, Prefetch, Subquery, Value, When
from django.db.models.functions import Coalesce
from rest_framework import mixins, viewsets

from api.base import PublishedViewSet
from api.serializers.events import EventSerializer, EventTypeSerializer, QuoteSerializer, SourceSerializer
from api.writes import EditorWritesMixin, WorkflowActionsMixin
from core.publishing import Status
from events.filters import EventFilter, QuoteFilter, SourceFilter
from events.models import Citation, Event, EventType, Participation, Quote, Source, attach_event_visibility


class EventViewSet(EditorWritesMixin, WorkflowActionsMixin, PublishedViewSet):
    """Events: who did what with whom, when. Filter with the same parameters as /events/."""

    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    queryset = Event.objects.all()
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
        ("participants", "export__participants"),
        ("sources", "export__sources"),
        ("quote_count", "quote_count"),
        ("summary", "summary"),
    )

    def base_queryset(self):
        """Participants, sources and their quote count. The public's related values are
        stored per event by database triggers (EventExport, events/export_rows.py): the CSV
        export reads its participants, sources and count from there, where three subqueries
        per row took 8.5 s per 100,000 rows, and lists read the count."""
        drafts = self.include_drafts
        # Visible related rows by a join on their status (Actor and Source published() is just
        # that), not "IN (SELECT … published())": that hashed 250,000 sources on every request.
        visible = {} if drafts else {"status": Status.PUBLISHED}
        if drafts:  # an editor's count includes unpublished quotes
            quotes = Quote.objects.filter(event=OuterRef("pk")).order_by().values("event").annotate(n=Count("pk"))
            quote_count = Coalesce(Subquery(quotes.values("n"), output_field=IntegerField()), 0)
        else:
            quote_count = F("export__quote_count")
        return (
            Event.objects.select_related("event_type")
            .prefetch_related(
                Prefetch(
                    "participations",
                    queryset=Participation.objects.filter(
                        **{f"actor__{k}": v for k, v in visible.items()}
                    ).select_related("actor"),
                ),
                Prefetch(
                    "citations",
                    queryset=Citation.objects.filter(**{f"source__{k}": v for k, v in visible.items()}).select_related(
                        "source"
                    ),
                ),
            )
            .annotate(quote_count=quote_count)
        )


class QuoteViewSet(EditorWritesMixin, WorkflowActionsMixin, PublishedViewSet):
    """Quotes and reported statements, each attributed and sourced."""

    lookup_value_regex = r"[1-9][0-9]{0,17}"  # fits a 64-bit id: larger is a 404, not an overflow
    queryset = Quote.objects.all()
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
        ("event", Case(When(event_is_public=True, then="event__slug"), default=Value(""))),
        ("language", "language"),
    )

    def base_queryset(self):
        quotes = Quote.objects.select_related("speaker", "source", "event")
        # One quote: answered in the query. A list page: after it (paginate_queryset).
        return quotes.with_event_visibility() if self.action == "retrieve" else quotes

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return None if page is None else attach_event_visibility(page)

    def export(self, queryset, renderer_format):
        return super().export(queryset.with_event_visibility(), renderer_format)


class SourceViewSet(EditorWritesMixin, WorkflowActionsMixin, PublishedViewSet):
    """Sources: the articles, statements and reports that events and quotes cite."""

    lookup_value_regex = r"[1-9][0-9]{0,17}"  # fits a 64-bit id: larger is a 404, not an overflow
    queryset = Source.objects.all()
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
