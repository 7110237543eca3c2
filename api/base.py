"""The base of every publishable resource's viewset: who reads what, negotiation, exports.

Settings that apply to every endpoint (pagination, throttles, filter backend) are in
REST_FRAMEWORK in settings.py.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError

from api.exports import ExportMixin
from api.negotiation import EXPORT_RENDERERS, ContentNegotiation, JSONRenderer
from api.permissions import ModelPermissionsOrAnonReadOnly
from api.serializers.base import serializer_errors
from core.publishing import Status, StatusFilterError, shows_unpublished


class PublishedViewSet(ExportMixin, viewsets.ModelViewSet):
    """Read by the one rule (``core.publishing.readable``, the pages' too): lists are what the
    public sees; editors with the model's view permission may ask for others with
    ``?status=draft`` (or review, withdrawn, published, all) and open any entry by its address,
    with its links to unpublished entries. Writes need the model's add/change/delete permission."""

    permission_classes = [ModelPermissionsOrAnonReadOnly]
    content_negotiation_class = ContentNegotiation
    selector = None  # the app's "what this reader reads": events.selectors.events_for, …

    def get_renderers(self):
        renderers_ = super().get_renderers()
        if self.action == "list":
            renderers_ += [renderer() for renderer in EXPORT_RENDERERS]
        return renderers_

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors are JSON even when an export was asked for: a client reading CSV still gets
        # a message it can parse.
        renderer = getattr(request, "accepted_renderer", None)
        if response.status_code >= 400 and getattr(renderer, "format", None) in ("csv", "ndjson"):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = request.accepted_renderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    @property
    def status(self):
        """The ``status`` the reader asks for. A list without one is the public's (published); an
        address without one answers whatever the reader may see (an editor opens drafts)."""
        requested = self.request.query_params.get("status") or None
        if requested is None and self.action == "list":
            return Status.PUBLISHED
        return requested

    @property
    def previewing(self):
        """An editor's view (a draft's address, ?status=): links lead to unpublished entries too."""
        return shows_unpublished(self.request.user, self.queryset.model, status=self.status)

    @property
    def reads_public_rows(self):
        """The public's list (no ?status=, or ?status=published, no preview): the lists that
        build their JSON from rows (events, quotes) answer it without the serializer's fields."""
        return self.action == "list" and self.status == Status.PUBLISHED and not self.previewing

    @property
    def links(self):
        """The reader and the mode the selectors' links follow."""
        return {"user": self.request.user, "previewing": self.previewing}

    def get_queryset(self):
        try:
            queryset = self.selector(self.request.user, status=self.status)
        except StatusFilterError as error:
            raise ValidationError({"status": [str(error)]}) from None
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from None
        return self.with_links(queryset)

    def with_links(self, queryset):
        """``queryset`` with what the serializer shows of related entries (selectors' prefetches)."""
        return queryset

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["previewing"] = self.previewing if self.request else False
        return context

    def list(self, request, *args, **kwargs):
        renderer_format = getattr(request.accepted_renderer, "format", None)
        if renderer_format in ("csv", "ndjson"):
            # ?fields= is checked for every format, as the schema says, though CSV keeps its own
            # columns: a bad one is a 400, not a file that ignored it.
            self.get_serializer()
            # So are the paging parameters: an export is the whole list, but a malformed cursor
            # or page size is the same 400 as on a page, not ignored.
            if self.paginator is not None:
                self.paginator.get_page_size(request)
                self.paginator.decode_cursor(request)
            queryset = self.filter_queryset(self.get_queryset())
            return self.export(queryset, renderer_format)
        return super().list(request, *args, **kwargs)


def exception_handler(exc, context):
    """DRF's handler, plus the model layer's ValidationError as a 400 with its messages."""
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(serializer_errors(exc))
    return drf_exception_handler(exc, context)
