from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, OuterRef, Prefetch, Subquery, Value, When
from django.db.models.functions import Coalesce
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.permissions import DjangoModelPermissions
from rest_framework.response import Response

from api.base import PublishedViewSet
from api.serializers.events import EventSerializer, EventTypeSerializer, QuoteSerializer, SourceSerializer
from core import workflow
from core.publishing import Status
from events.filters import EventFilter, QuoteFilter, SourceFilter
from events.models import Citation, Event, EventType, Participation, Quote, Source, attach_event_visibility


class WorkflowActionsMixin:
    """POST …/send-to-review/, …/publish/, …/withdraw/: the admin's bulk actions, one entry at a
    time, through the same services and rules. Needs the model's change permission."""

    @extend_schema(request=None, responses={200: None})
    @action(detail=True, methods=["post"], url_path="send-to-review", permission_classes=[DjangoModelPermissions])
    def send_to_review(self, request, *args, **kwargs):
        return self._transition(workflow.send_to_review)

    @extend_schema(request=None, responses={200: None})
    @action(detail=True, methods=["post"], permission_classes=[DjangoModelPermissions])
    def publish(self, request, *args, **kwargs):
        """Publish; ``?with_related=1`` also publishes the draft sources and actors it needs."""
        with_related = request.query_params.get("with_related") in ("1", "true")
        return self._transition(workflow.publish, include_related=with_related)

    @extend_schema(request=None, responses={200: None})
    @action(detail=True, methods=["post"], permission_classes=[DjangoModelPermissions])
    def withdraw(self, request, *args, **kwargs):
        return self._transition(workflow.withdraw)

    def _transition(self, transition, **options):
        reason = change_reason(self.request)
        obj = self.get_object()
        try:
            transition(obj=obj, user=self.request.user, reason=reason, **options)
        except workflow.TransitionError as error:
            raise ValidationError({"status": [str(error)]}) from None
        return Response({"status": obj.status, "version": obj.version}, status=status.HTTP_200_OK)


class EditorWritesMixin:
    """Writes through the services: who and why go into the history; an update or delete must
    name the version it started from (``If-Match`` with the ETag of a GET), or it is refused
    with 428, and with 412 when someone saved in between; Editors change drafts only."""

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = etag(self.get_object())
        return response

    @transaction.atomic
    def perform_create(self, serializer):
        # One transaction with the change reason: a connection lost in between must not leave
        # the entry stored without its history note.
        reason = change_reason(self.request)
        serializer.save(created_by=self.request.user, updated_by=self.request.user)
        self.record_reason(serializer.instance, reason)

    def update(self, request, *args, **kwargs):
        # Whether the user may change this entry at all comes before what they sent: an Editor's
        # PATCH of a published entry is a 403 whether or not its body is valid.
        self.require_edit_rights(self.get_object())
        return super().update(request, *args, **kwargs)

    def require_edit_rights(self, obj):
        if not workflow.can_edit(self.request.user, obj):
            raise PermissionDenied(f"Only a Publisher may change “{obj}”, which is {obj.status}.")

    @transaction.atomic
    def perform_update(self, serializer):
        reason = change_reason(self.request)
        obj = serializer.instance
        self.require_edit_rights(obj)
        version = self.check_if_match(obj)
        # The row is locked now: apply the change to it as stored, not to the copy read before
        # the lock (a merge may have moved a column of it meanwhile, with the same version).
        obj.refresh_from_db()
        serializer.save(updated_by=self.request.user, version=version)
        self.record_reason(serializer.instance, reason)

    @transaction.atomic
    def perform_destroy(self, instance):
        self.check_if_match(instance)
        try:
            workflow.delete_entry(obj=instance, user=self.request.user)
        except workflow.TransitionError as error:
            raise ValidationError({"status": [str(error)]}) from None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in ("PUT", "PATCH") and response.status_code == 200 and hasattr(self, "_written"):
            response["ETag"] = etag(self._written)
        return response

    def record_reason(self, obj, reason):
        """The optional X-Change-Reason header goes into the history record just written (the
        user is recorded by simple-history's middleware)."""
        if reason:
            # The newest record of the entry. (simple-history's update_change_reason finds it by
            # comparing every field with the instance, and found none when a generated column
            # such as a quote's said_until had changed: a 500.)
            record = obj.history.latest("history_id")
            record.history_change_reason = reason
            record.save(update_fields=["history_change_reason"])

    def check_if_match(self, obj):
        header = self.request.headers.get("If-Match")
        if not header:
            raise PreconditionRequired()
        expected = header.strip().removeprefix("W/").strip('"')
        # ASCII digits that fit a version: "１" is no ETag of ours, and int() of thousands of
        # digits is a ValueError.
        if not (expected.isascii() and expected.isdigit() and len(expected) <= 18):
            raise PreconditionFailed(f"If-Match must be the ETag of the entry, such as {etag(obj)}.")
        try:
            version = workflow.check_version(obj, int(expected))
        except workflow.ConcurrentEditError as error:
            raise PreconditionFailed(str(error)) from None
        self._written = obj
        return version


def change_reason(request):
    """The optional X-Change-Reason header (a NUL byte in it is refused by the middleware)."""
    reason = request.headers.get("X-Change-Reason", "")
    if len(reason) > workflow.NOTE_MAX_LENGTH:
        raise ValidationError(
            {"X-Change-Reason": [f"At most {workflow.NOTE_MAX_LENGTH} characters ({len(reason):,} given)."]}
        )
    return reason


def etag(obj):
    return f'"{obj.version}"'


class PreconditionFailed(APIException):
    status_code = 412
    default_detail = "The entry changed since you read it."
    default_code = "precondition_failed"


class PreconditionRequired(APIException):
    status_code = 428
    default_detail = (
        "Send If-Match with the ETag from a GET of this entry, so that a change someone else saved "
        "in the meantime is never overwritten."
    )
    default_code = "precondition_required"


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
