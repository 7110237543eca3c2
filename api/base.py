"""The base of every publishable resource's viewset: who reads what, negotiation, exports.

Settings that apply to every endpoint (pagination, throttles, filter backend) are in
REST_FRAMEWORK in settings.py.
"""


from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import renderers, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import DjangoModelPermissionsOrAnonReadOnly

from api.exports import ExportMixin
from api.negotiation import EXPORT_RENDERERS, ContentNegotiation
from api.serializers.base import serializer_errors
from core.publishing import Status, may_see_unpublished


class PublishedViewSet(ExportMixin, viewsets.ModelViewSet):
    """Anonymous clients and readers get published entries only. Editors with the model's view
    permission may ask for others with ``?status=draft`` (or review, withdrawn, published, all)
    and may open any entry by its address; writes need the model's add/change/delete permission."""

    permission_classes = [DjangoModelPermissionsOrAnonReadOnly]
    content_negotiation_class = ContentNegotiation

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
            request.accepted_renderer = renderers.JSONRenderer()
            request.accepted_media_type = request.accepted_renderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    def base_queryset(self):
        """The model's rows with what the serializer needs, before visibility."""
        return self.queryset.model.objects.all()

    @property
    def include_drafts(self):
        if not hasattr(self, "_include_drafts"):
            requested = self.request.query_params.get("status")
            model = self.queryset.model
            if requested:
                if requested not in (*Status.values, "all"):
                    raise ValidationError({"status": [f"Use one of {', '.join(Status.values)}, all."]})
                if requested == Status.PUBLISHED:
                    requested = None  # what everyone sees anyway
                elif not may_see_unpublished(self.request.user, model):
                    raise PermissionDenied("Only editors may filter by status.")
            self._include_drafts = bool(requested) or (
                self.action != "list" and may_see_unpublished(self.request.user, model)
            )
        return self._include_drafts

    def get_queryset(self):
        queryset = self.base_queryset()
        requested = self.request.query_params.get("status")
        if not self.include_drafts:
            return queryset.published()
        if requested and requested != "all":
            return queryset.filter(status=requested) if requested != Status.PUBLISHED else queryset.published()
        return queryset

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["include_drafts"] = self.include_drafts if self.request else False
        return context

    def list(self, request, *args, **kwargs):
        renderer_format = getattr(request.accepted_renderer, "format", None)
        if renderer_format in ("csv", "ndjson"):
            # ?fields= is checked for every format, as the schema says, though CSV keeps its own
            # columns: a bad one is a 400, not a file that ignored it.
            self.get_serializer()
            queryset = self.filter_queryset(self.get_queryset())
            return self.export(queryset, renderer_format)
        return super().list(request, *args, **kwargs)


def exception_handler(exc, context):
    """DRF's handler, plus the model layer's ValidationError as a 400 with its messages."""
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(serializer_errors(exc))
    return drf_exception_handler(exc, context)


