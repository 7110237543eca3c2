"""Formats of the API: JSON, the browsable API, CSV / NDJSON exports of lists, and body parsers.

Kept apart from api.py: REST_FRAMEWORK settings import this module while DRF's views load.
"""

import orjson
from django.http import Http404
from rest_framework import parsers, renderers
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.negotiation import BaseContentNegotiation, DefaultContentNegotiation
from rest_framework.utils.encoders import JSONEncoder


class JSONRenderer(renderers.JSONRenderer):
    """DRF's JSON, written by orjson: the same bytes (compact, UTF-8, U+2028 and U+2029 escaped
    for script contexts) in a fifth of the time, but for how a float is written (1e-07 is 1e-7,
    NaN is null; the API's numbers are integers and decimals as strings). DRF renders what
    orjson cannot (an integer beyond 64 bits), an indented answer (``Accept:
    application/json; indent=2``) and any other setting (``UNICODE_JSON``, ``COMPACT_JSON``)."""

    _fallback = JSONEncoder()

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.ensure_ascii or not self.compact or self.get_indent(accepted_media_type, renderer_context or {}):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            # Dates and times go through DRF's encoder (``Z`` for UTC, as DRF writes it).
            body = orjson.dumps(
                data, default=self._fallback.default, option=orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
            )
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        return body.replace("\u2028".encode(), b"\\u2028").replace("\u2029".encode(), b"\\u2029")


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


class FirstRendererNegotiation(BaseContentNegotiation):
    """For a view with one format (an HTML page): the same answer whatever ``?format=`` or the
    Accept header says, rather than an error page that cannot say what was wrong."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def contains_nul(data):
    """Whether a NUL character is anywhere in parsed data, keys included. A loop, not recursion:
    a body nested a few hundred levels deep is no RecursionError (a 500)."""
    pending = [data]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, (list, tuple)):
            pending.extend(item)
        elif hasattr(item, "lists"):  # QueryDict from a form body
            for key, values in item.lists():
                pending.append(key)
                pending.extend(values)
    return False


class NulCheckingMixin:
    """A NUL character anywhere in a body is a 400: PostgreSQL cannot store or even compare it,
    so it would otherwise surface as a database error in whatever field or lookup it reached."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if contains_nul(getattr(data, "data", data)):
            raise ParseError("The request body cannot contain NUL characters.")
        return data


class JSONParser(NulCheckingMixin, parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            # DRF turns ValueError into a 400, but not this: arrays nested ~1,000 deep.
            raise ParseError("JSON parse error - nested too deeply.") from None


class FormParser(NulCheckingMixin, parsers.FormParser):
    pass


class MultiPartParser(NulCheckingMixin, parsers.MultiPartParser):
    pass
