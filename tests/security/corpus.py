"""The bad-input corpus: hostile values, the addresses and parameters they go to, and the rules
every response must follow.

Addresses and parameters are read from the project itself (its URL patterns, the FilterSets of
its views, its OpenAPI schema; for writes, its serializers), so a new page, endpoint, filter or
field is covered without editing this file.
"""

import io
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote, unquote

import django_filters
from django.core.management import call_command
from django.core.signals import got_request_exception
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core.filters import PartialDateFilter


@dataclass(frozen=True)
class Value:
    """One hostile value, as it appears in a URL (percent-encoded, so any bytes can be sent)."""

    label: str
    encoded: str

    @property
    def text(self):
        return unquote(self.encoded, errors="replace")


def text(value, label=None):
    return Value(label or repr(value)[:50], quote(value, safe=""))


def raw(encoded, label=None):
    return Value(label or f"raw {encoded[:45]}", encoded)


# Markup that must never come back raw in an HTML or XML response.
MARKUP = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'\"></script><svg/onload=alert(3)>",
)
MARKERS = ("<script>alert(", "<img src=x onerror", "<svg/onload")
ALL_MARKUP = "".join(MARKUP)

NUL = [raw("%00", "NUL"), text("a\x00b"), raw("%2500", "double-encoded NUL")]
INTEGERS = [
    text("0"),
    text("-1"),
    text("99999999999999999999999"),
    text("9223372036854775808", "2**63"),
    text("-9223372036854775809", "-2**63-1"),
    text("1e309"),
    text("NaN"),
    text("1.5"),
    text("１２", "fullwidth digits"),
    text("٣", "Arabic-Indic digit"),
    text("9" * 5000, "5000 digits"),
]
DATES = [
    text("2020-13-45"),
    text("2020-02-30"),
    text("0000-00-00"),
    text("0000"),
    text("99999-01-01"),
    text("2020-1-1"),
    text("2020/01/01"),
    text("-2020"),
    text("9999-12-31"),
    text("0001-01-01"),
    text("2020-02-29T25:61:61Z"),
    text("2020-01-01T00:00:00+99:00"),
    text("２０２０", "fullwidth year"),
]
STRINGS = [
    text("", "empty"),
    text(" \t\r\n", "whitespace"),
    text("x" * 10_000, "10k chars"),
    text("\u202egnp.exe", "RTL override"),
    text("a\u200db\u200c", "zero-width joiners"),
    raw("%ED%A0%80", "lone surrogate (UTF-8)"),
    raw("%C0%AE", "overlong UTF-8"),
    raw("%FF%FE", "invalid UTF-8"),
    text("😀👍🏽", "emoji"),
    text("e\u0301\u0301\u0301\u0301", "combining marks"),
    text("\ufeff\uffff", "BOM and non-character"),
    text("' OR 1=1--"),
    text("1; DROP TABLE events_event"),
    text("%' OR '1'='1"),
    text("_%\\"),
    text("a\r\nSet-Cookie: x=y", "CRLF"),
    *(text(markup) for markup in MARKUP),
]
UNIVERSAL = [*NUL, *STRINGS, text("0"), text("-1"), text("99999999999999999999999"), text("2020-13-45")]


def values_for(kind):
    """Hostile values for a parameter: every one gets the universal set; numbers and dates more."""
    if kind == "short":
        return SHORT
    extra = {"integer": INTEGERS, "date": DATES}.get(kind, [])
    return list({value.encoded: value for value in [*UNIVERSAL, *extra]}.values())


def shapes(name):
    """The same parameter sent in odd shapes: repeated, as an array, without a value…"""
    markup = quote(MARKUP[0], safe="")
    return [
        (f"{name} repeated", f"{name}=%00x&{name}={markup}"),
        (f"{name} ×25", "&".join(f"{name}=v{i}" for i in range(25))),
        (f"{name}[]", f"{name}%5B%5D=1&{name}%5B%5D=2"),
        (f"{name}[0]", f"{name}%5B0%5D=1"),
        (f"{name} without =", name),
        (f"{name} comma list", f"{name}=a,{markup},,"),
    ]


# Whole query strings, sent once per address.
QUERY_STRINGS = [
    ("markup as a name", quote(MARKUP[0], safe="") + "=1"),
    ("NUL in a name", "%00=1"),
    ("surrogate in a name", "%ED%A0%80=1"),
    ("10k-char name", "n" * 10_000 + "=1"),
    ("empty name", "=1"),
    ("only separators", "&&&=&="),
    ("bare percent", "%=%&q=%"),
    ("semicolons", "q=a;b;c"),
    ("1,001 parameters", "&".join(f"a{i}=1" for i in range(1001))),
    ("100k-char query", "q=" + "y" * 100_000),
]

# Headers and cookies, sent once per address. (What a real server passes on: header values are
# latin-1 text, so a lone surrogate arrives as its UTF-8 bytes, "\xed\xa0\x80".)
HEADERS = [
    ("Cookie", "sessionid=abcdefgh\x00"),
    ("Cookie", 'sessionid="abcdefgh\\000"'),  # NUL as a quoted cookie's octal escape
    ("Cookie", "sessionid=\xed\xa0\x80abcdefgh"),
    ("Cookie", "sessionid=" + "x" * 10_000),
    ("Cookie", f"sessionid={MARKUP[0]}; csrftoken=%00"),
    ("Authorization", "Token a\x00b"),
    ("Authorization", "Token nonsense"),
    ("Authorization", "Token " + "x" * 10_000),
    ("Authorization", "Basic !!!"),
    ("Authorization", f"Bearer {MARKUP[1]}"),
    ("Accept", "application/xml"),
    ("Accept", "text/csv"),
    ("Accept", "*/*;q=abc"),
    ("Accept", "\x00"),
    ("Accept-Language", f"xx-{MARKUP[0]};q=2"),
    ("If-None-Match", "\x00"),
    ("If-Modified-Since", "Mon, 99 Foo 99999 99:99:99 GMT"),
    ("X-Forwarded-For", f"{MARKUP[0]}, ::1, 999.999.999.999"),
    ("Range", "bytes=99999999999999999999-"),
]

# Parameters that some address reads: every address receives them too (most ignore them), with
# the short list of values.
COMMON_PARAMETERS = ("q", "page", "page_size", "p", "cursor", "ordering", "fields", "format", "status", "since")
SHORT = [
    raw("%00", "NUL"),
    raw("%ED%A0%80", "lone surrogate (UTF-8)"),
    text("x" * 10_000, "10k chars"),
    text(ALL_MARKUP),
]


# A path segment where a slug or an id belongs.
PATH_VALUES = [
    text("no-such-entry"),
    text("99999999999999999999999"),
    text("9223372036854775808", "2**63"),
    text("-1"),
    text("0"),
    text("00001"),
    text("１", "fullwidth 1"),
    text("ünïcödé-slug"),
    text("😀"),
    text("\u202eeman", "RTL override"),
    raw("%ED%A0%80", "lone surrogate (UTF-8)"),
    raw("%FF", "invalid UTF-8"),
    raw("%00", "NUL"),
    raw("a%00b", "NUL inside"),
    text("x" * 10_000, "10k chars"),
    text(MARKUP[0]),
    text("' OR 1=1--"),
    raw("..%2F..%2Fetc%2Fpasswd", "encoded traversal"),
    raw("a%20b", "space"),
    text("1.0"),
]
PATH_VALUES_SHORT = [
    value
    for value in PATH_VALUES
    if value.label in ("'no-such-entry'", "'99999999999999999999999'", "'-1'", "fullwidth 1", "NUL", "10k chars")
    or value.label.startswith(("lone surrogate", "\"' OR"))
]


# Addresses ------------------------------------------------------------------------------------


@dataclass
class Address:
    """A public page or API operation: a path template (``{name}`` for path parameters), what
    each path parameter takes (a fixed value, or ``(model, attribute)`` of an existing entry),
    and its query parameters by kind."""

    label: str
    template: str
    path_keys: dict
    parameters: dict
    required: dict = field(default_factory=dict)  # a valid value of each required parameter

    def query(self, name, encoded=None, *, raw_query=None):
        """``name=encoded`` (or ``raw_query``, about ``name``), with the required parameters
        besides, so that it is ``name`` that gets checked, not their absence."""
        pairs = [f"{other}={value}" for other, value in self.required.items() if other != name]
        return "&".join([*pairs, raw_query if raw_query is not None else f"{name}={encoded}"])

    def path(self, examples, **overrides):
        values = {}
        for name, key in self.path_keys.items():
            if isinstance(key, tuple):
                model, attribute = key
                key = getattr(examples[model], attribute)
            values[name] = key
        return self.template.format(**{**values, **overrides})


def filter_parameters(filterset_class):
    """The FilterSet's parameters by kind: "date", "integer" or "string"."""
    kinds = {}
    for name, filter_ in filterset_class.base_filters.items():
        if isinstance(filter_, PartialDateFilter):
            kinds[name] = "date"
        elif isinstance(filter_, django_filters.NumberFilter) or filter_.extra.get("lookup") == "pk":
            kinds[name] = "integer"
        else:
            kinds[name] = "string"
    return kinds


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def view_parameters(view):
    """The parameters a page reads: its FilterSet's, and those its view reads itself."""
    from public.views.actors import ActorSuggestView
    from public.views.base import FilteredListView
    from public.views.home import SearchView

    filterset_class = getattr(view, "filterset_class", None)
    parameters = filter_parameters(filterset_class) if filterset_class else {}
    if isinstance(view, type) and issubclass(view, FilteredListView):
        parameters["page"] = "integer"
    if view in (SearchView, ActorSuggestView):
        parameters["q"] = "string"
    if getattr(view, "__module__", "") == "django.contrib.sitemaps.views":
        parameters["p"] = "integer"
    return parameters


def page_addresses():
    """Every public page of the site (not the admin, not the API), from the URL patterns.
    A detail page takes an entry of its view's model; a sitemap section each section's name."""
    addresses = []
    for route, pattern in _walk(get_resolver().url_patterns):
        if route.startswith(("admin/", "api/")):
            continue
        callback = pattern.callback
        view = getattr(callback, "view_class", None) or callback
        parameters = view_parameters(view)
        names = re.findall(r"<(?:\w+:)?(\w+)>", route)
        template = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
        if not names:
            addresses.append(Address(template, template, {}, parameters))
        elif "sitemaps" in pattern.default_args:
            for section in pattern.default_args["sitemaps"]:
                addresses.append(Address(template.format(section=section), template, {"section": section}, parameters))
        else:
            (name,) = names
            addresses.append(Address(template, template, {name: (view.model, name)}, parameters))
    return addresses


# Valid values of required parameters, by OpenAPI format or type.
EXAMPLES = {"date-time": "2020-01-01T00%3A00%3A00Z", "date": "2020-01-01", "integer": "1", "string": "x"}


def unlisted_api_addresses():
    """The API's addresses that its schema does not list: the root, the schema, its docs."""
    listed = set(api_schema()["paths"])
    paths = [reverse("api:api-root")]
    for route, _ in _walk(get_resolver().url_patterns):
        if route.startswith("api/") and "<" not in route and "^" not in route:
            paths.append("/" + route)
    # Documents rather than data, and the schema's is slow to make: the short list of values.
    parameters = {"format": "short", "lang": "short", "version": "short"}
    return [Address(f"GET {path}", path, {}, parameters) for path in dict.fromkeys(paths) if path not in listed]


# A format suffix on an API address (/api/events.csv), as the router allows.
SUFFIXES = ["json", "csv", "ndjson", "api", "xml", "yaml", "JSON", "x" * 300, "%00", quote(MARKUP[0], safe="")]


def api_schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def api_operations(methods=("get",)):
    """Every API operation with these methods, from the OpenAPI schema, with its parameters.

    Path parameters take the key of an existing entry of the viewset's model."""
    from api.urls import router

    prefixes = {f"/api/{prefix}/": viewset for prefix, viewset, _ in router.registry}
    addresses = []
    for template, operations in api_schema()["paths"].items():
        for method, operation in operations.items():
            if method not in methods:
                continue
            path_keys = {}
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    viewset = next(v for p, v in prefixes.items() if template.startswith(p))
                    path_keys[parameter["name"]] = (viewset.queryset.model, parameter["name"])
            parameters, required = {}, {}
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    schema = parameter.get("schema", {})
                    kind = {"integer": "integer"}.get(schema.get("type"), "string")
                    if schema.get("format") in ("date", "date-time") or parameter["name"] in ("date_from", "date_to"):
                        kind = "date"
                    parameters[parameter["name"]] = kind
                    if parameter.get("required"):
                        required[parameter["name"]] = EXAMPLES[schema.get("format", schema.get("type"))]
            addresses.append(Address(f"{method.upper()} {template}", template, path_keys, parameters, required))
    return addresses


class CorpusClient(Client):
    """The test client without its record of each rendered template's context (copying them
    took more time than rendering): the corpus sends thousands of requests and reads bodies only.
    Exceptions still propagate, as with the test client."""

    def request(self, **request):
        environ = self._base_environ(**request)
        uid = f"corpus-exception-{id(request)}"
        got_request_exception.connect(self.store_exc_info, dispatch_uid=uid)
        try:
            response = self.handler(environ)
        finally:
            got_request_exception.disconnect(dispatch_uid=uid)
        self.check_exception(response)
        if response.cookies:
            self.cookies.update(response.cookies)
        return response


# Checks -----------------------------------------------------------------------------------------


class _Text(HTMLParser):
    """The visible text of a page, and separately the text of its alerts (role="alert")."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.visible, self.alert = [], []
        self._skip = 0
        self._alert_depth = 0
        self._stack = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._skip += 1
        is_alert = dict(attrs).get("role") == "alert"
        self._stack.append((tag, is_alert))
        self._alert_depth += is_alert

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template"):
            self._skip = max(0, self._skip - 1)
        while self._stack:
            open_tag, is_alert = self._stack.pop()
            self._alert_depth -= is_alert
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self._skip:
            return
        self.visible.append(data)
        if self._alert_depth:
            self.alert.append(data)


def visible_text(html):
    parser = _Text()
    parser.feed(html)
    squash = lambda parts: " ".join(" ".join(parts).split())  # noqa: E731
    return squash(parser.visible), squash(parser.alert)


def strings(data):
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from strings(value)


GENERIC_ERROR_PAGE = re.compile(r"\A[A-Za-z ]+ \(\d{3}\)\Z")  # Django's bare "Bad Request (400)"


def body_of(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def problems(path, response, body, sent=None, asked_html=False):
    """What is wrong with a response to bad input (an empty list when nothing is).

    An API error is JSON with a message, unless HTML was asked for (the browsable API); a
    page's 400 shows its errors in a role="alert" block; any other 4xx page has a message."""
    found = []
    status = response.status_code
    content_type = response.get("Content-Type", "")
    document = body.decode("utf-8", errors="replace")
    if status >= 500:
        found.append(f"status {status}")
    data = None
    if "json" in content_type:
        try:
            if "ndjson" in content_type:  # an export: one JSON document a line
                data = [json.loads(line) for line in document.splitlines() if line]
            else:
                data = json.loads(document)
        except ValueError:
            found.append("a JSON content type with a body that is not JSON")
    if 400 <= status < 500:
        if "openapi" in content_type:  # the schema document's own errors, in its own format
            if not document.strip():
                found.append("an empty error from the schema")
        elif path.startswith("/api/") and not ("html" in content_type and asked_html):
            if "json" not in content_type:
                found.append(f"an API error as {content_type!r}, not JSON")
            elif not any(s.strip() for s in strings(data)):
                found.append(f"an API error without a message: {document[:200]!r}")
        elif "html" in content_type:
            visible, alert = visible_text(document)
            if status == 400 and not alert and not path.startswith("/api/"):
                found.append(f"a 400 page without an error message (role=alert): {visible[:200]!r}")
            elif not visible or GENERIC_ERROR_PAGE.match(visible):
                found.append(f"a {status} page without a message: {visible[:200]!r}")
        elif "json" in content_type:
            if not any(s.strip() for s in strings(data)):
                found.append(f"an error without a message: {document[:200]!r}")
        elif not document.strip():
            found.append(f"an empty {status} response ({content_type})")
    if "html" in content_type or "xml" in content_type:
        if any(marker in document for marker in MARKERS):
            found.append("markup reflected unescaped")
        elif sent and "<" in sent and sent in document:
            found.append("the value reflected unescaped")
    return found


def changes(before):
    """The stored rows that differ from the ``snapshot()`` taken before, as readable lines."""
    after = snapshot()
    changed = sorted({key for key in before.keys() | after.keys() if before.get(key) != after.get(key)})
    return [f"stored data changed: {key} was {before.get(key)} and is {after.get(key)}"[:400] for key in changed]


def snapshot():
    """Every stored row of the project's apps (history included) and API tokens, by (model, pk)."""
    out = io.StringIO()
    call_command("dumpdata", "actors", "events", "authtoken", format="json", stdout=out)
    return {
        (row["model"], str(row["pk"])): json.dumps(row["fields"], sort_keys=True) for row in json.loads(out.getvalue())
    }
