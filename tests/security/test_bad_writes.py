"""Bad writes to every writable API operation, as an editors' tool allowed to make them: wrong
content types, malformed JSON, wrong types and bad values in every field (nested ones too), bad
If-Match headers, unknown addresses, wrong methods. Each is a 4xx with a JSON message and leaves
the stored record as it was.

Operations come from the OpenAPI schema and fields from the serializers; only the valid bodies
that the bad values are put into are written here, and each is first proved valid (in a
transaction rolled back), so that a refusal is owed to the bad value.
"""

import json
import os
import re
from collections import Counter

import pytest
from django.db import transaction
from rest_framework import serializers
from rest_framework.authtoken.models import Token

from actors.models import Actor
from api.urls import router
from events.models import Event, Quote, Source

from . import corpus

pytestmark = [pytest.mark.django_db, pytest.mark.generated]

ALL_WRITES = corpus.api_operations(methods=("post", "put", "patch", "delete"))
# The resources' writes; the token endpoints (/api/auth/…) take credentials, not entries.
WRITES = [a for a in ALL_WRITES if not a.template.startswith("/api/auth/")]
AUTH_WRITES = [a for a in ALL_WRITES if a.template.startswith("/api/auth/")]
VIEWSETS = {viewset.queryset.model: (f"/api/{prefix}/", viewset) for prefix, viewset, _ in router.registry}
REQUESTS = Counter()
HUGE = 2_700_000  # characters: over Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB)


def valid_bodies(examples):
    actor, source, event = examples[Actor], examples[Source], examples[Event]
    return {
        Event: {
            "title": "A new event",
            "slug": "a-new-event",
            "type": "04",
            "start_date": "2022-02-04",
            "country": "CN",
            "participants": [{"actor": actor.slug, "role": "initiator"}],
            "sources": [{"source": source.pk, "locator": "p. 1"}],
        },
        Quote: {
            "text": "New words",
            "speaker": actor.slug,
            "source": source.pk,
            "event": event.slug,
            "said_on": "2022-02-04",
            "language": "en",
        },
        Source: {
            "title": "A new source",
            "url": "https://news.example/new",
            "published_on": "2022-02-02",
            "language": "en",
            "kind": "news",
        },
        Actor: {
            "name": "Someone new",
            "slug": "someone-new",
            "kind": "person",
            "country": "RU",
            "wikidata_id": "Q1",
            "aliases": [{"name": "Newcomer", "language": "en"}],
        },
    }


# Bad values by serializer field ---------------------------------------------------------------


def bad_values(field):
    """Values this serializer field must refuse, as (label, value)."""
    values = [("object", {"a": 1}), ("list", ["x"])]
    if not field.allow_null:
        values.append(("null", None))
    if isinstance(field, serializers.ListSerializer):
        return [
            ("string", "x"),
            ("object", {"a": 1}),
            ("numbers", [1, 2]),
            ("null item", [None]),
            ("empty item", [{}]),
            ("deep item", [[[["x"]]]]),
        ]
    if isinstance(field, serializers.PrimaryKeyRelatedField):
        return values + [
            ("23 digits", 10**23),
            ("2**63", 2**63),
            ("-1", -1),
            ("0", 0),
            ("1.5", 1.5),
            ("true", True),
            ("SQL", "1; DROP TABLE events_event"),
            ("fullwidth", "１"),
            ("unknown", 987654321),
        ]
    if isinstance(field, serializers.SlugRelatedField):
        return values + [
            ("unknown", "no-such-entry"),
            ("markup", corpus.MARKUP[0]),
            ("10k chars", "x" * 10_000),
            ("surrogate", "\ud800"),
            ("true", True),
        ]
    if isinstance(field, serializers.BooleanField):
        return values + [("word", "maybe"), ("2", 2)]
    if isinstance(field, serializers.ChoiceField):
        return values + [("markup", corpus.MARKUP[0]), ("capitals", "PUBLISHED"), ("1", 1), ("empty", "")]
    if isinstance(field, serializers.DateField):
        return (
            values
            + [
                (date, date)
                # (Fullwidth digits are digits: "２０２０-01-01" is a valid date, rightly accepted.)
                for date in ("2020-13-45", "2020-02-30", "0000-00-00", "99999-01-01", "2020-1-1x", "2020-02-29T25:00")
            ]
            + [("number", 20200101), ("true", True)]
        )
    if isinstance(field, serializers.CharField):
        values += [("true", True), ("surrogate", "a\ud800b")]
        if not field.allow_blank:
            values.append(("empty", ""))
        if field.max_length:
            values.append(("too long", "x" * (field.max_length + 1)))
            if field.max_length <= 20:  # a code (country, language, Wikidata id): markup is no code
                values.append(("markup", corpus.MARKUP[0][: field.max_length]))
        if isinstance(field, serializers.SlugField):
            values += [("markup", corpus.MARKUP[0]), ("unicode", "ünï côdé")]
        if isinstance(field, serializers.URLField):
            values += [("javascript", "javascript:alert(1)"), ("no URL", "not a url"), ("bad host", "http://[::1")]
        return values
    return values


def field_cases(serializer_class, body):
    """(label, body) with one field, or one field of a nested item, replaced by a bad value."""
    cases = []
    for name, field in serializer_class().fields.items():
        if field.read_only:
            continue
        for label, value in bad_values(field):
            cases.append((f"{name}={label}", {**body, name: value}))
        if isinstance(field, serializers.ListSerializer) and body.get(name):
            item = body[name][0]
            for child_name, child in field.child.fields.items():
                if child.read_only:
                    continue
                for label, value in bad_values(child):
                    cases.append((f"{name}[0].{child_name}={label}", {**body, name: [{**item, child_name: value}]}))
            cases.append((f"{name} twice", {**body, name: [item, item]}))
    return cases


# Bad bodies, whatever the resource ----------------------------------------------------------


def nested(depth, opener="[", closer="]"):
    return opener * depth + closer * depth


JSON = "application/json"
# (label, content type, body bytes, methods it applies to). A body that parses to no fields at
# all is a valid no-op PATCH, so those go to POST and PUT only; Django's multipart parser reads a
# truncated body as no fields, not as an error.
BODIES = [
    ("text/plain", "text/plain", b"hello", None),
    ("XML", "application/xml", b"<event><title>x</title></event>", None),
    ("no content type", "", b'{"title": "x"}', None),
    ("unknown type", "application/x-unknown", b"\x00\x01\x02", None),
    ("multipart without boundary", "multipart/form-data", b"garbage", None),
    (
        "multipart truncated",
        "multipart/form-data; boundary=XyZ",
        b'--XyZ\r\nContent-Disposition: form-data; name="title"',
        ("post", "put"),
    ),
    ("form with NUL", "application/x-www-form-urlencoded", b"title=a%00b", None),
    ("form garbage", "application/x-www-form-urlencoded", b"%ZZ=%&&=&%", ("post", "put")),
    ("empty JSON", JSON, b"", ("post", "put")),
    ("truncated JSON", JSON, b'{"title": ', None),
    ("trailing comma", JSON, b'{"title": "x",}', None),
    ("single quotes", JSON, b"{'title': 'x'}", None),
    ("NaN", JSON, b'{"title": NaN}', None),
    ("Infinity", JSON, b'{"title": -Infinity}', None),
    ("5000-digit number", JSON, b'{"title": ' + b"9" * 5000 + b"}", None),
    ("nested 100,000 deep", JSON, nested(100_000).encode(), None),
    ("objects nested 100,000 deep", JSON, ('{"a":' * 100_000 + "1" + "}" * 100_000).encode(), None),
    ("nested 500 deep", JSON, nested(500).encode(), None),
    (
        "fields nested 500 deep",
        JSON,
        json.dumps(dict.fromkeys(["title", "text", "name"], 0)).replace("0", nested(500)).encode(),
        None,
    ),
    ("top-level array", JSON, b'[{"title": "x"}]', None),
    ("top-level string", JSON, b'"x"', None),
    ("top-level number", JSON, b"42", None),
    ("top-level null", JSON, b"null", None),
    ("top-level true", JSON, b"true", None),
    ("byte order mark", JSON, b'\xef\xbb\xbf{"title": "x"}', None),
    ("invalid UTF-8", JSON, b'{"title": "\xff\xfe"}', None),
    ("UTF-16", JSON, '{"title": "x"}'.encode("utf-16"), None),
    ("charset mismatch", JSON + "; charset=utf-16", b'{"title": "x"}', None),
    ("escaped NUL", JSON, b'{"title": "a\\u0000b"}', None),
    ("NUL in a key", JSON, b'{"ti\\u0000tle": "x"}', None),
]

BAD_IF_MATCH = [
    None,  # missing
    "abc",
    '"0"',
    '"-1"',
    "*",
    'W/"0"',
    '"1", "2"',
    '"99999999999999999999999"',
    '"' + "9" * 5000 + '"',
    '"１"',
    "\x00",
]


def send(client, address, case, method, path, body=b"", content_type=JSON, **headers):
    """One write; the failures it shows. Any 2xx is one: every case here is bad."""
    REQUESTS[address.label] += 1
    shown = f"{method.upper()} {path[:100]} [{case}]"
    try:
        response = client.generic(method.upper(), path, body, content_type, headers=headers)
        data = corpus.body_of(response)
    except Exception as error:  # noqa: BLE001 - any exception is the finding
        return [f"{shown} raised {type(error).__name__}: {str(error)[:200]}"]
    found = corpus.problems(path, response, data)
    if response.status_code < 400:
        found.append("accepted")
    return [f"{shown} → {response.status_code}: {problem}" for problem in found]


def encode(body):
    return json.dumps(body).encode()


def etag(entry):
    entry.refresh_from_db()
    return f'"{entry.version}"'


def proved_valid(client, method, path, body, **headers):
    """The body is accepted: tried in a transaction that is then rolled back."""
    with transaction.atomic():
        response = client.generic(method.upper(), path, encode(body), JSON, headers=headers)
        transaction.set_rollback(True)
    assert response.status_code in (200, 201), (method, path, response.content[:500])


def report(failures):
    return "\n".join([f"{len(failures)} failures:", *failures[: int(os.environ.get("CORPUS_SHOW", 40))]])


def resource(address):
    return next(model for model, (prefix, _) in VIEWSETS.items() if address.template.startswith(prefix))


def body_corpus(tool, address, method, path, body, if_match):
    """Bad bodies: envelopes, then every field. PUT validates a body as POST does, so the field
    cases go to POST (whole bodies) and PATCH (the field alone)."""
    failures = []
    for label, content_type, data, methods in BODIES:
        if methods is None or method in methods:
            failures += send(tool, address, label, method, path, data, content_type, **if_match)
    oversized = encode({**body, "padding": "x" * HUGE})
    failures += send(tool, address, "body over 2.5 MB", method, path, oversized, **if_match)
    if method == "put":
        return failures
    serializer_class = VIEWSETS[resource(address)][1].serializer_class
    for label, bad_body in field_cases(serializer_class, body):
        if method == "patch":
            name = re.match(r"\w+", label).group()
            bad_body = {name: bad_body[name]}
        failures += send(tool, address, label, method, path, encode(bad_body), **if_match)
    return failures


def precondition_corpus(tool, address, method, path, body, entry):
    """A valid body with a bad If-Match, or a reason that cannot be stored."""
    failures = []
    data = encode(body) if method != "delete" else b""
    for value in BAD_IF_MATCH:
        headers = {"If-Match": value} if value is not None else {}
        failures += send(tool, address, f"If-Match {value!r:.40}", method, path, data, **headers)
    if method != "delete":
        # PostgreSQL cannot store a NUL byte: refused before anything is written.
        headers = {"If-Match": etag(entry), "X-Change-Reason": "a\x00b"}
        failures += send(tool, address, "NUL in X-Change-Reason", method, path, data, **headers)
    return failures


@pytest.mark.parametrize("address", WRITES, ids=[a.label for a in WRITES])
def test_api_write_refuses_bad_input_with_a_message(examples, tool, address):
    method = address.label.split()[0].lower()
    entry = examples[resource(address)]
    path = address.path(examples)
    body = valid_bodies(examples)[resource(address)]
    is_action = "{" in address.template and not address.template.endswith("}/")  # …/publish/
    before = corpus.snapshot()
    failures = []
    if method in ("post", "put", "patch") and not is_action:
        if_match = {} if method == "post" else {"If-Match": etag(entry)}
        proved_valid(tool, method, path, body, **if_match)
        failures += body_corpus(tool, address, method, path, body, if_match)
    if method in ("put", "patch", "delete"):
        failures += precondition_corpus(tool, address, method, path, body, entry)
    for name in address.path_keys:
        for value in corpus.PATH_VALUES_SHORT:
            bad_path = address.path(examples, **{name: value.encoded})
            headers = {"If-Match": etag(entry)}
            failures += send(tool, address, f"path {value.label}", method, bad_path, encode(body), **headers)
    # Anonymous, and with forged credentials: refused before anything is read.
    anonymous = corpus.CorpusClient()
    failures += send(anonymous, address, "anonymous", method, path, encode(body))
    for token in ("Token nonsense", "Token a\x00b", "Bearer <script>"):
        failures += send(anonymous, address, f"{token!r:.30}", method, path, encode(body), Authorization=token)
    failures += corpus.changes(before)
    assert not failures, report(failures)


CREDENTIALS = [
    ("NUL in username", {"username": "ed\x00", "password": "x"}),
    ("huge username", {"username": "e" * 100_000, "password": "x"}),
    ("huge password", {"username": "ed", "password": "p" * 100_000}),
    ("numbers", {"username": 1, "password": 2}),
    ("lists", {"username": ["ed"], "password": ["x"]}),
    ("nulls", {"username": None, "password": None}),
    ("missing password", {"username": "ed"}),
    ("SQL injection", {"username": "' OR 1=1--", "password": "' OR 1=1--"}),
    ("RTL override and emoji", {"username": "\u202eed\U0001f600", "password": "x"}),
    ("wrong password", {"username": "ed", "password": "wrong"}),
]


@pytest.mark.parametrize("address", AUTH_WRITES, ids=[a.label for a in AUTH_WRITES])
def test_token_endpoints_refuse_bad_input_with_a_message(examples, address):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("ed", password="right-password-123", is_staff=True)
    method, path = address.label.split()[0].lower(), address.path(examples)
    anonymous = corpus.CorpusClient()
    before = corpus.snapshot()
    failures = []
    if method == "post" and address.template == "/api/auth/token/":
        for label, content_type, data, methods in BODIES:
            if methods is None or method in methods:
                failures += send(anonymous, address, label, method, path, data, content_type)
        for label, body in CREDENTIALS:
            failures += send(anonymous, address, label, method, path, encode(body))
    for token in ("Token nonsense", "Token a\x00b", "Bearer <script>", None):
        headers = {"Authorization": token} if token else {}
        failures += send(anonymous, address, f"{token!r:.30}", method, path, b"{}", **headers)
    failures += corpus.changes(before)
    assert not failures, report(failures)
    assert not Token.objects.exists()


def test_methods_an_address_does_not_take_are_405_with_a_message(examples, tool):
    failures = []
    templates = {}
    for address in corpus.api_operations(methods=("get", "post", "put", "patch", "delete")):
        templates.setdefault(address.template, (address, set()))[1].add(address.label.split()[0].lower())
    before = corpus.snapshot()
    for address, methods in templates.values():
        for method in {"get", "post", "put", "patch", "delete"} - methods:
            failures += send(tool, address, "method not allowed", method, address.path(examples), b"{}")
    failures += corpus.changes(before)
    assert not failures, report(failures)


def test_the_write_corpus_reached_every_operation():
    if not REQUESTS:
        pytest.skip("run together with the corpus tests")
    assert {a.label for a in ALL_WRITES} <= set(REQUESTS)
    print(f"\n{sum(REQUESTS.values())} write requests to {len(REQUESTS)} operations: {dict(REQUESTS)}")
