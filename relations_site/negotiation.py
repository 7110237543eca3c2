"""Formats of the API: JSON, the browsable API, and CSV / NDJSON exports of lists.

Kept apart from api.py: REST_FRAMEWORK settings import this module while DRF's views load.
"""

from django.http import Http404
from rest_framework import renderers
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation


class CSVRenderer(renderers.BaseRenderer):
    """Selected by ``?format=csv`` on lists; the view streams the rows itself."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # Only errors reach here (exports are streamed by the view): render them as text.
        return str(data).encode()


class NDJSONRenderer(CSVRenderer):
    media_type = "application/x-ndjson"
    format = "ndjson"


EXPORT_RENDERERS = (CSVRenderer, NDJSONRenderer)


class ContentNegotiation(DefaultContentNegotiation):
    """An unknown ``?format=`` is a 400 that names the formats, not a bare 404."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except Http404:
            formats = ", ".join(sorted({r.format for r in renderers if r.format != "api"}))
            raise ValidationError({"format": [f"Unknown format: use one of {formats}."]}) from None
