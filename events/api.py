from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import DjangoModelPermissions
from rest_framework.response import Response

from actors.models import Actor
from relations_site.api import PublishedViewSet
from relations_site.publishing import Status

from . import services
from .filters import EventFilter, QuoteFilter, SourceFilter
from .models import Citation, Event, EventType, Participation, Quote, Source
from .serializers import EventSerializer, EventTypeSerializer, QuoteSerializer, SourceSerializer


def joined(values):
    return ";".join(values)


class WorkflowActionsMixin:
    """POST …/send-to-review/, …/publish/, …/withdraw/: the admin's bulk actions, one entry at a
    time, through the same services and rules. Needs the model's change permission."""

    @extend_schema(request=None, responses={200: None})
    @action(detail=True, methods=["post"], url_path="send-to-review", permission_classes=[DjangoModelPermissions])
    def send_to_review(self, request, *args, **kwargs):
        return self._transition(services.send_to_review)

    @extend_schema(request=None, responses={200: None})
    @action(detail=True, methods=["post"], permission_classes=[DjangoModelPermissions])
    def publish(self, request, *args, **kwargs):
        return self._transition(services.publish)

    @extend_schema(request=None, responses={200: None})
    @action(detail=True, methods=["post"], permission_classes=[DjangoModelPermissions])
    def withdraw(self, request, *args, **kwargs):
        return self._transition(services.withdraw)

    def _transition(self, transition):
        obj = self.get_object()
        try:
            transition(obj=obj, user=self.request.user)
        except services.TransitionError as error:
            raise ValidationError({"status": [str(error)]}) from None
        return Response({"status": obj.status}, status=status.HTTP_200_OK)


class EditorWritesMixin:
    def perform_create(self, serializer):
        serializer.save(created_by=self.request.user, updated_by=self.request.user)

    def perform_update(self, serializer):
        serializer.save(updated_by=self.request.user)

    def perform_destroy(self, instance):
        if instance.status != Status.DRAFT:
            raise ValidationError(
                {"status": [f"Only drafts can be deleted; this entry is {instance.status}. Withdraw it instead."]}
            )
        instance.delete()


class EventViewSet(EditorWritesMixin, WorkflowActionsMixin, PublishedViewSet):
    """Events: who did what with whom, when. Filter with the same parameters as /events/."""

    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    queryset = Event.objects.all()
    serializer_class = EventSerializer
    filterset_class = EventFilter
    lookup_field = "slug"
    export_columns = (
        ("slug", lambda e: e.slug),
        ("title", lambda e: e.title),
        ("type", lambda e: e.event_type.code),
        ("type_name", lambda e: e.event_type.name),
        ("quad_class", lambda e: e.event_type.quad_class),
        ("start_date", lambda e: e.start_date.isoformat()),
        ("end_date", lambda e: e.end_date.isoformat() if e.end_date else ""),
        ("date_precision", lambda e: e.date_precision),
        ("location", lambda e: e.location),
        ("country", lambda e: e.country),
        ("participants", lambda e: joined(f"{p.actor.slug}:{p.role}" for p in e.participations.all())),
        ("sources", lambda e: joined(str(c.source_id) for c in e.citations.all())),
        ("quote_count", lambda e: e.quote_count),
        ("summary", lambda e: e.summary),
    )

    def base_queryset(self):
        drafts = self.include_drafts
        actors = Actor.objects.all() if drafts else Actor.objects.published()
        sources = Source.objects.all() if drafts else Source.objects.published()
        quotes = Quote.objects.all() if drafts else Quote.objects.published()
        quote_count = quotes.filter(event=OuterRef("pk")).order_by().values("event").annotate(n=Count("pk")).values("n")
        return (
            Event.objects.select_related("event_type")
            .prefetch_related(
                Prefetch(
                    "participations", queryset=Participation.objects.filter(actor__in=actors).select_related("actor")
                ),
                Prefetch("citations", queryset=Citation.objects.filter(source__in=sources).select_related("source")),
            )
            .annotate(quote_count=Coalesce(Subquery(quote_count, output_field=IntegerField()), 0))
        )


class QuoteViewSet(EditorWritesMixin, WorkflowActionsMixin, PublishedViewSet):
    """Quotes and reported statements, each attributed and sourced."""

    lookup_value_regex = r"[1-9][0-9]{0,17}"  # fits a 64-bit id: larger is a 404, not an overflow
    queryset = Quote.objects.all()
    serializer_class = QuoteSerializer
    filterset_class = QuoteFilter
    export_columns = (
        ("id", lambda q: q.pk),
        ("text", lambda q: q.text),
        ("speaker", lambda q: q.speaker.slug),
        ("speaker_name", lambda q: q.speaker.name),
        ("speaker_title", lambda q: q.speaker_title),
        ("said_on", lambda q: q.said_on.isoformat() if q.said_on else ""),
        ("said_on_precision", lambda q: q.said_on_precision),
        ("is_paraphrase", lambda q: "true" if q.is_paraphrase else "false"),
        ("source", lambda q: q.source_id),
        ("event", lambda q: q.event.slug if q.event_id and q.event.status == Status.PUBLISHED else ""),
        ("language", lambda q: q.language),
    )

    def base_queryset(self):
        return Quote.objects.select_related("speaker", "source", "event")


class SourceViewSet(EditorWritesMixin, WorkflowActionsMixin, PublishedViewSet):
    """Sources: the articles, statements and reports that events and quotes cite."""

    lookup_value_regex = r"[1-9][0-9]{0,17}"  # fits a 64-bit id: larger is a 404, not an overflow
    queryset = Source.objects.all()
    serializer_class = SourceSerializer
    filterset_class = SourceFilter
    export_columns = (
        ("id", lambda s: s.pk),
        ("title", lambda s: s.title),
        ("url", lambda s: s.url),
        ("publisher", lambda s: s.publisher),
        ("author", lambda s: s.author),
        ("published_on", lambda s: s.published_on.isoformat() if s.published_on else ""),
        ("language", lambda s: s.language),
        ("kind", lambda s: s.kind),
        ("archive_url", lambda s: s.archive_url),
    )


class EventTypeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The CAMEO taxonomy: 20 root codes and finer codes beneath them."""

    lookup_value_regex = r"[0-9]{2,4}"
    queryset = EventType.objects.select_related("parent").order_by("code")
    serializer_class = EventTypeSerializer
    lookup_field = "code"
    pagination_class = None
    filter_backends = []
