"""OpenAPI: post-processing (exact types and formats for the shared filter parameters, and the
error responses every operation can give, so clients and schema fuzzers know them), and the
views of the schema and its docs."""

import copy

from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.exceptions import ValidationError

from api.negotiation import FirstRendererNegotiation
from core.filters import MAX_VALUES
from core.search import MAX_QUERY_LENGTH, RELEVANCE_WINDOW


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


# Query parameters: a page's form submits every field, empty ones too (``?q=&type=``), and the
# same FilterSets serve the API, where an empty value means "not given" for every parameter.
# Each schema therefore admits the empty string beside its values.
EMPTY = {"type": "string", "maxLength": 0}


def _or_empty(pattern):
    return f"^({pattern})?$"


SLUG = r"[-a-zA-Z0-9_]{1,300}"
# Years 0001-9999 (there is no year 0), months 01-12, days 01-31; a day the month lacks
# (2022-02-30) matches and is refused with a 400, as the pattern cannot know the calendar.
PARTIAL_DATE = {
    "type": "string",
    "pattern": _or_empty(
        r"(?:[0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})"
        r"(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12][0-9]|3[01]))?)?"
    ),
    "description": "YYYY, YYYY-MM or YYYY-MM-DD; matches entries whose period overlaps it.",
}
SLUGS = {
    "type": "array",
    # An empty value in the list is skipped (a form's empty text box).
    "items": {"type": "string", "pattern": _or_empty(SLUG)},
    "maxItems": MAX_VALUES,
}

PARAMETERS = {
    "q": (
        {"type": "string", "maxLength": MAX_QUERY_LENGTH},
        "Full-text search. Without `ordering`, on PostgreSQL, best matches first: events, "
        f"quotes and sources rank their newest {RELEVANCE_WINDOW} matches, then list the older "
        "ones newest first (narrow the dates to rank an earlier period); actors rank every match.",
        False,
    ),
    "actor": (SLUGS, "Actor slug; repeat for any of several (OR).", True),
    "speaker": (SLUGS, "Speaker's actor slug; repeat for any of several (OR).", True),
    "type": (
        {"type": "string", "maxLength": 100},
        "CAMEO code (04) or slug (consult); a root code includes finer codes.",
        False,
    ),
    "country": ({"type": "string", "pattern": _or_empty("[A-Za-z]{2}")}, "ISO 3166-1 alpha-2 country code.", False),
    "date_from": (PARTIAL_DATE, "Start of the period.", False),
    "date_to": (PARTIAL_DATE, "End of the period.", False),
    "language": (
        {"type": "string", "maxLength": 20, "pattern": _or_empty("[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")},
        "BCP 47 language tag.",
        False,
    ),
    # Digits, not an integer: an empty value is "any source". 18 digits fit a 64-bit id.
    "source": ({"type": "string", "pattern": _or_empty("[1-9][0-9]{0,17}")}, "Source id.", False),
    "event": ({"type": "string", "pattern": _or_empty(SLUG)}, "Event slug.", False),
    "status": (
        {"type": "string", "enum": ["draft", "review", "published", "withdrawn", "all", ""]},
        "Editors only (view permission): entries in this status.",
        False,
    ),
    "cursor": (
        {"type": "string", "pattern": "^[-_A-Za-z0-9]*$"},
        "Opaque position from a response's next or previous link.",
        False,
    ),
    "page_size": (
        {"anyOf": [{"type": "integer", "minimum": 1, "maximum": 100}, EMPTY]},
        "Results per page, 1 to 100 (default 25).",
        False,
    ),
}

ERROR = {
    "type": "object",
    "description": "`detail` for the whole request, or a list of messages per parameter or field.",
    "additionalProperties": True,
}

# Responses any operation may give (a bad parameter, credentials that fail, a client that asks
# for a format we do not write, a throttle), and those of writes only.
RESPONSES = {
    "400": "Bad input: the messages say what is wrong.",
    "401": "Authentication failed.",
    "403": "Not allowed for this user.",
    "404": "Not found, or not published.",
    "406": "Format not acceptable.",
    "429": "Too many requests: slow down (see Retry-After).",
}
BODY_RESPONSES = {"415": "Unsupported content type."}
IF_MATCH_RESPONSES = {
    "412": "The entry changed since the If-Match version was read, or If-Match is no ETag of it.",
    "428": "If-Match with the entry's ETag is required for this write.",
}

# The resources of PublishedViewSet: editors write them, with If-Match on updates and deletes.
RESOURCES = ("/api/events/", "/api/actors/", "/api/quotes/", "/api/sources/")
SPARSE_RESOURCES = ("Event", "Actor", "Quote", "Source", "EventType")

# EditorWritesMixin.check_if_match: surrounding spaces and quotes are stripped, W/ is allowed.
IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": True,
    "description": 'The ETag of a GET of this entry, e.g. "3": the write is refused with 412 if '
    "someone saved it since, and with 428 without this header.",
    "schema": {"type": "string", "pattern": r'^\s*(W/)?"*[0-9]{1,18}"*\s*$'},
}
CHANGE_REASON = {
    "name": "X-Change-Reason",
    "in": "header",
    "required": False,
    "description": "Why the entry changed, kept in its history; longer than 100 characters is a 400.",
    "schema": {"type": "string", "maxLength": 100},
}
# Bodies of HTML forms (the browsable API's): DRF reads an empty optional field as "not sent",
# so it takes its default, where JSON would be checked as the value "".
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
WITH_RELATED = {
    "name": "with_related",
    "in": "query",
    "required": False,
    "description": "1 or true: publish the draft sources and actors it needs as well; any other value: do not.",
    "schema": {"type": "string"},
}


def document_error_responses(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR
    # fields= may leave out any field, so no field of a resource is required in a response.
    for name in SPARSE_RESOURCES:
        schemas.get(name, {}).pop("required", None)
    for path, operations in result.get("paths", {}).items():
        resource = path.startswith(RESOURCES)
        for method, operation in operations.items():
            detail = path.count("/") == 4 and "{" in path  # /api/events/{slug}/
            is_list = resource and method == "get" and "{" not in path
            parameters = operation.setdefault("parameters", [])
            for parameter in parameters:
                spec = PARAMETERS.get(parameter["name"]) if parameter.get("in") == "query" else None
                if spec:
                    schema, description, explode = spec
                    parameter["schema"] = schema
                    parameter["description"] = description
                    if explode:
                        parameter["style"], parameter["explode"] = "form", True
                elif parameter.get("in") == "query" and parameter["name"] in ("kind", "ordering"):
                    _admit_empty(parameter["schema"])
            if resource and method == "get" and (is_list or detail):
                if is_list:
                    parameters.append(_query("status"))
                parameters.append(_fields(result, operation))
            if is_list:
                parameters[:] = [p for p in parameters if not (p["name"] == "format" and p.get("in") == "query")]
                parameters.append(
                    {
                        "name": "format",
                        "in": "query",
                        "required": False,
                        "description": "json (default), or csv / ndjson to stream the whole filtered result.",
                        "schema": {"type": "string", "enum": ["json", "csv", "ndjson", ""]},
                    }
                )
                # The exports are text, not the paginated JSON.
                ok = operation["responses"]["200"].setdefault("content", {})
                ok["text/csv"] = {"schema": {"type": "string"}}
                ok["application/x-ndjson"] = {"schema": {"type": "string"}}
            writes = resource and method in ("post", "put", "patch", "delete")
            if writes and method != "delete":
                parameters.append(dict(CHANGE_REASON))
            if writes and detail and method != "post":
                parameters.append(dict(IF_MATCH))
            if "requestBody" in operation:
                _form_bodies(schemas, operation["requestBody"])
            if resource and path.endswith("/publish/"):
                parameters.append(dict(WITH_RELATED))
            responses = operation.setdefault("responses", {})
            codes = dict(RESPONSES)
            if "requestBody" in operation:
                codes.update(BODY_RESPONSES)
            if writes and detail and method != "post":
                codes.update(IF_MATCH_RESPONSES)
            for code, description in codes.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    },
                )
            if method == "get" and (resource or path.startswith("/api/event-types/")):
                # Published entries and the taxonomy are public: credentials are optional for reading them.
                security = operation.setdefault("security", [])
                if {} not in security:
                    security.append({})
    return result


def _form_bodies(schemas, body):
    """Form bodies get a component of their own in which each optional field also admits ""."""
    for content_type in FORM_TYPES:
        content = body.get("content", {}).get(content_type)
        ref = (content or {}).get("schema", {}).get("$ref")
        if not ref:
            continue
        name = ref.rsplit("/", 1)[1]
        form_name = f"{name}Form"
        if form_name not in schemas:
            component = copy.deepcopy(schemas[name])
            required = set(component.get("required", []))
            for field, spec in component.get("properties", {}).items():
                admits_empty = (
                    spec.get("type") == "string"
                    and not {"pattern", "format", "enum"} & set(spec)
                    and not spec.get("minLength")
                )
                if field not in required and spec.get("type") not in ("array", "object") and not admits_empty:
                    component["properties"][field] = {
                        "anyOf": [spec, EMPTY],
                        "description": "Empty in a form body: not sent (the default applies).",
                    }
            schemas[form_name] = component
        content["schema"] = {"$ref": f"#/components/schemas/{form_name}"}


def _admit_empty(schema):
    target = schema.get("items", schema)
    if "enum" in target and "" not in target["enum"]:
        target["enum"] = [*target["enum"], ""]


def _fields(result, operation):
    """``fields``: names of the response's fields, comma-separated (SparseFieldsMixin)."""
    content = operation["responses"]["200"]["content"]["application/json"]["schema"]
    name = content["$ref"].rsplit("/", 1)[1]
    component = result["components"]["schemas"][name]
    if "results" in component.get("properties", {}):
        name = component["properties"]["results"]["items"]["$ref"].rsplit("/", 1)[1]
        component = result["components"]["schemas"][name]
    names = "|".join(sorted(component["properties"], key=len, reverse=True))
    item = rf"\s*(?:(?:{names})\s*)?"
    return {
        "name": "fields",
        "in": "query",
        "required": False,
        "description": "Comma-separated fields to return, e.g. slug,title,start_date (JSON and NDJSON; "
        "CSV keeps its own columns, and still refuses a name the resource lacks).",
        "schema": {"type": "string", "pattern": rf"^{item}(?:,{item})*$"},
    }


def _query(name):
    schema, description, _ = PARAMETERS[name]
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}
