"""The API's JSON is orjson's (api/negotiation.py) and must be byte for byte DRF's."""

import datetime
import decimal
import uuid

import pytest
from django.utils.functional import lazy
from rest_framework import renderers
from rest_framework.utils.serializer_helpers import ReturnDict

from api.negotiation import JSONRenderer

DATA = {
    "text": 'Ünïcödé “quotes” <b>&amp;</b> \u2028line\u2029para \x00nul \\ "',
    "emoji": "🌍",
    "numbers": [0, -1, 2**53, 1.5, 0.1],
    "decimal": decimal.Decimal("4.0"),
    "when": datetime.datetime(2026, 11, 30, 12, 0, 1, 123000, tzinfo=datetime.UTC),
    "day": datetime.date(2022, 2, 24),
    "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "lazy": lazy(lambda: "translated", str)(),
    "nested": ReturnDict({"a": None, "b": True, "c": [{}]}, serializer=None),
    "tuple": (1, 2),
    "int keys": {1: "one", 2: "two"},
}


def test_the_same_bytes_as_drf():
    assert JSONRenderer().render(DATA) == renderers.JSONRenderer().render(DATA)
    assert b"\\u2028" in JSONRenderer().render(DATA) and "\u2028".encode() not in JSONRenderer().render(DATA)


def test_floats_differ_only_in_how_an_exponent_is_written():
    assert JSONRenderer().render([1e-7]) == b"[1e-7]"
    assert renderers.JSONRenderer().render([1e-7]) == b"[1e-07]"


def test_what_orjson_cannot_write_and_other_settings_are_drfs():
    big = {"n": 2**70}
    assert JSONRenderer().render(big) == renderers.JSONRenderer().render(big) == b'{"n":1180591620717411303424}'

    class Ascii(JSONRenderer):
        ensure_ascii = True

    assert Ascii().render({"a": "é"}) == b'{"a":"\\u00e9"}'


def test_nothing_renders_as_no_body_and_indentation_is_honoured():
    assert JSONRenderer().render(None) == b""
    indented = JSONRenderer().render({"a": [1]}, "application/json; indent=2")
    assert indented == b'{\n  "a": [\n    1\n  ]\n}'


@pytest.mark.django_db
def test_the_api_answers_with_it(client):
    response = client.get("/api/event-types/")
    assert response.status_code == 200
    assert type(response.accepted_renderer) is JSONRenderer
    assert response.content == renderers.JSONRenderer().render(response.json())
