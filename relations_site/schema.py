"""OpenAPI: post-processing (exact types and formats for the shared filter parameters, and the
error responses every operation can give, so clients and schema fuzzers know them), and the
views of the schema and its docs."""

from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.exceptions import ValidationError

from relations_site.filters import MAX_VALUES
from relations_site.negotiation import FirstRendererNegotiation
from relations_site.search import MAX_QUERY_LENGTH


class SchemaView(SpectacularAPIView):
    """The OpenAPI document. The API has one version: ``?version=`` is refused, where
    drf-spectacular would print it into the document and into the Content-Disposition header
    (where a line break in it was a BadHeaderError, a 500)."""

    @extend_schema(exclude=True)  # not an operation of the API (SERVE_INCLUDE_SCHEMA is off)
    def get(self, request, *args, **kwargs):
        if "version" in request.query_params:
            raise ValidationError({"version": ["The API has one version: leave out version."]})
        return super().get(request, *args, **kwargs)


class DocsView(SpectacularSwaggerSplitView):
    """The Swagger UI page (its set-up script a file of its own, not inline: the
    Content-Security-Policy allows no inline script): an HTML page whatever the client asks for, and public, so it reads
    no credentials (the schema it loads checks its own). Otherwise ``?format=json`` or a stale
    token made it an error page without a message."""

    content_negotiation_class = FirstRendererNegotiation
    authentication_classes = []
    # A page to read: OPTIONS (DRF's metadata, rendered into the page's template) was a 500.
    http_method_names = ["get", "head"]


PARTIAL_DATE = {
    "type": "string",
    "pattern": r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$",
    "description": "YYYY, YYYY-MM or YYYY-MM-DD; matches entries whose period overlaps it.",
}
SLUGS = {
    "type": "array",
    "items": {"type": "string", "pattern": r"^[-a-zA-Z0-9_]+$", "maxLength": 300},
    "maxItems": MAX_VALUES,
}

PARAMETERS = {
    "q": ({"type": "string", "maxLength": MAX_QUERY_LENGTH}, "Full-text search.", False),
    "actor": (SLUGS, "Actor slug; repeat for any of several (OR).", True),
    "speaker": (SLUGS, "Speaker's actor slug; repeat for any of several (OR).", True),
    "type": (
        {"type": "string", "maxLength": 100},
        "CAMEO code (04) or slug (consult); a root code includes finer codes.",
        False,
    ),
    "country": ({"type": "string", "pattern": r"^[A-Za-z]{2}$"}, "ISO 3166-1 alpha-2 country code.", False),
    "date_from": (PARTIAL_DATE, "Start of the period.", False),
    "date_to": (PARTIAL_DATE, "End of the period.", False),
    "language": ({"type": "string", "pattern": r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"}, "BCP 47 language tag.", False),
    "source": ({"type": "integer", "minimum": 1}, "Source id.", False),
    "event": ({"type": "string", "pattern": r"^[-a-zA-Z0-9_]+$", "maxLength": 300}, "Event slug.", False),
    "fields": ({"type": "string"}, "Comma-separated fields to return, e.g. slug,title,start_date.", False),
    "status": (
        {"type": "string", "enum": ["draft", "review", "published", "withdrawn", "all"]},
        "Editors only (view permission): entries in this status.",
        False,
    ),
}

ERROR = {
    "type": "object",
    "description": "`detail` for the whole request, or a list of messages per parameter or field.",
    "additionalProperties": True,
}

RESPONSES = {
    "400": "Bad input: the messages say what is wrong.",
    "401": "Authentication failed.",
    "403": "Not allowed for this user.",
    "404": "Not found, or not published.",
    "405": "Method not allowed.",
    "406": "Format not acceptable.",
    "412": "The entry changed since the If-Match version was read.",
    "415": "Unsupported content type.",
    "428": "If-Match with the entry's ETag is required for this write.",
    "429": "Too many requests: slow down (see Retry-After).",
}


SPARSE_RESOURCES = ("Event", "Actor", "Quote", "Source", "EventType")


def document_error_responses(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR
    # fields= may leave out any field, so no field of a resource is required in a response.
    for name in SPARSE_RESOURCES:
        schemas.get(name, {}).pop("required", None)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            is_list = method == "get" and "{" not in path and path != "/api/event-types/"
            parameters = operation.setdefault("parameters", [])
            for parameter in parameters:
                spec = PARAMETERS.get(parameter["name"]) if parameter.get("in") == "query" else None
                if spec:
                    schema, description, explode = spec
                    parameter["schema"] = schema
                    parameter["description"] = description
                    if explode:
                        parameter["style"], parameter["explode"] = "form", True
            names = {p["name"] for p in parameters}
            if (
                method == "get"
                and "status" not in names
                and path != "/api/event-types/"
                and "{" not in path.split("/")[-2]
            ):
                parameters.append(_query("status"))
            if method == "get" and "fields" not in names and "event-types" not in path:
                parameters.append(_query("fields"))
            if is_list and "format" not in names:
                parameters.append(
                    {
                        "name": "format",
                        "in": "query",
                        "required": False,
                        "description": "json (default), or csv / ndjson to stream the whole filtered result.",
                        "schema": {"type": "string", "enum": ["json", "csv", "ndjson"]},
                    }
                )
            responses = operation.setdefault("responses", {})
            for code, description in RESPONSES.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    },
                )
            if is_list:
                ok = responses.get("200", {}).setdefault("content", {})
                ok.setdefault("text/csv", {"schema": {"type": "string"}})
                ok.setdefault("application/x-ndjson", {"schema": {"type": "string"}})
    return result


def _query(name):
    schema, description, _ = PARAMETERS[name]
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}
