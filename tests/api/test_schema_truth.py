"""The OpenAPI schema says what the API accepts and returns: each claim checked against the
API itself (schemathesis checks the same at volume in CI: .ci/schemathesis)."""

import jsonschema_rs
import pytest

from core.formats import percent_encode_uri
from tests.api.conftest import token_client, user_with
from tests.factories import ActorFactory, EventFactory, QuoteFactory, SourceFactory

pytestmark = pytest.mark.django_db

LISTS = ("/api/events/", "/api/actors/", "/api/quotes/", "/api/sources/")
WRITERS = [f"{action}_{model}" for action in ("view", "change", "delete") for model in ("event", "source")]


@pytest.fixture
def openapi(api):
    return api.get("/api/schema/?format=json").json()


def query_parameters(openapi, path):
    return [p for p in openapi["paths"][path]["get"]["parameters"] if p["in"] == "query"]


def admits(schema, value):
    return jsonschema_rs.validator_for(schema, validate_formats=True).is_valid(value)


@pytest.mark.generated  # a request for every query parameter the schema lists
@pytest.mark.parametrize("path", LISTS)
def test_list_parameters_admit_the_empty_value_the_api_treats_as_absent(api, openapi, path):
    """A page's form submits empty fields (?q=&type=); the API shares its FilterSets."""
    QuoteFactory(event=EventFactory(slug="e"), speaker=ActorFactory(slug="a"), source=SourceFactory())
    expected = api.get(path).json()["results"]
    for parameter in query_parameters(openapi, path):
        schema = parameter["schema"]
        empty = [""] if schema.get("type") == "array" else ""
        assert admits(schema, empty), parameter["name"]
        response = api.get(f"{path}?{parameter['name']}=")
        assert (parameter["name"], response.status_code, response.json()["results"]) == (
            parameter["name"],
            200,
            expected,
        )


@pytest.mark.parametrize(
    ("name", "value"),
    [("date_from", "0000"), ("date_to", "2022-13"), ("date_to", "2022-00-01"), ("country", "R"), ("source", "0")],
)
def test_list_parameters_refuse_in_the_schema_what_the_api_refuses(api, openapi, name, value):
    path = "/api/quotes/" if name == "source" else "/api/events/"
    schema = next(p["schema"] for p in query_parameters(openapi, path) if p["name"] == name)
    response = api.get(f"{path}?{name}={value}")
    assert (admits(schema, value), response.status_code) == (False, 400)


def test_fields_parameter_names_the_fields_of_the_response(api, openapi):
    SourceFactory(pk=7)
    schema = next(
        p["schema"] for p in openapi["paths"]["/api/sources/{id}/"]["get"]["parameters"] if p["name"] == "fields"
    )
    assert (admits(schema, "id, title,,url"), api.get("/api/sources/7/?fields=id, title,,url").status_code) == (
        True,
        200,
    )
    assert (admits(schema, "id,nope"), api.get("/api/sources/7/?fields=id,nope").status_code) == (False, 400)


@pytest.mark.parametrize(
    ("method", "path"),
    [(m, p) for m in ("put", "patch", "delete") for p in ("/api/events/{slug}/", "/api/sources/{id}/")],
)
def test_writes_document_the_if_match_header_and_its_428_and_412(openapi, method, path):
    operation = openapi["paths"][path][method]
    headers = {p["name"]: p["required"] for p in operation["parameters"] if p["in"] == "header"}
    assert headers == ({"If-Match": True} if method == "delete" else {"If-Match": True, "X-Change-Reason": False})
    assert {"412", "428"} <= set(operation["responses"])


def test_write_without_if_match_is_the_documented_428(openapi):
    source = SourceFactory(status="draft")
    response = token_client(user_with(*WRITERS)).patch(f"/api/sources/{source.pk}/", {"title": "T"}, format="json")
    documented = openapi["paths"]["/api/sources/{id}/"]["patch"]["responses"]
    assert (response.status_code, "428" in documented) == (428, True)


@pytest.mark.parametrize("value", ['"1"', 'W/"1"', "1", ' "1" '])
def test_if_match_schema_admits_every_form_the_api_reads_as_the_version(openapi, value):
    source = SourceFactory(status="draft")
    schema = next(
        p["schema"] for p in openapi["paths"]["/api/sources/{id}/"]["patch"]["parameters"] if p["name"] == "If-Match"
    )
    response = token_client(user_with(*WRITERS)).patch(
        f"/api/sources/{source.pk}/", {"title": "T"}, format="json", headers={"If-Match": value}
    )
    assert (admits(schema, value), response.status_code) == (True, 200)


def test_reading_published_entries_needs_no_credentials_in_the_schema(openapi):
    for path in (*LISTS, "/api/events/{slug}/", "/api/event-types/"):
        assert {} in openapi["paths"][path]["get"]["security"], path
    assert {} not in openapi["paths"]["/api/events/"]["post"]["security"]


@pytest.mark.parametrize("url", ['https://news.example/"quoted"', "https://news.example/<b>", "https://news.example/é"])
def test_source_url_with_characters_a_uri_does_not_allow_is_400(url):
    api = token_client(user_with("add_source"))
    response = api.post("/api/sources/", {"title": "T", "url": url, "archive_url": url}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"url", "archive_url"}
    assert response.json()["url"][0].startswith("A URL may hold only the characters a URI allows")


def test_source_url_percent_encoded_is_accepted_and_returned_as_a_uri(openapi):
    api = token_client(user_with("add_source"))
    url = percent_encode_uri('https://news.example/a "b"<c>é?q=%zz#x#y')
    response = api.post("/api/sources/", {"title": "T", "url": url}, format="json")
    assert (url, response.status_code) == ("https://news.example/a%20%22b%22%3Cc%3E%C3%A9?q=%25zz#x%23y", 201)
    assert admits(openapi["components"]["schemas"]["Source"]["properties"]["url"], response.json()["url"])


def test_source_url_message_shows_the_escapes_as_written():
    api = token_client(user_with("add_source"))
    response = api.post("/api/sources/", {"title": "T", "url": "https://news.example/<b>"}, format="json")
    assert (
        "(a space as %20, “é” as %C3%A9, “<” as %3C), and a host name in its ASCII form (xn--…)."
        in response.json()["url"][0]
    )


def test_form_bodies_document_that_an_empty_optional_field_takes_its_default(openapi):
    """DRF reads an empty optional field of a form body as not sent: the source gets the
    default language where the same "" in JSON is refused. The schema says both."""
    api = token_client(user_with("add_source", "view_source"))
    form = api.post("/api/sources/", {"title": "A form", "language": ""}, format="multipart")
    as_json = api.post("/api/sources/", {"title": "As JSON", "language": ""}, format="json")
    assert (form.status_code, form.json()["language"]) == (201, "en")
    assert (as_json.status_code, as_json.json()) == (400, {"language": ["This field may not be blank."]})
    body = openapi["paths"]["/api/sources/"]["post"]["requestBody"]["content"]
    assert body["application/json"]["schema"] == {"$ref": "#/components/schemas/SourceRequest"}
    assert body["multipart/form-data"]["schema"] == {"$ref": "#/components/schemas/SourceRequestForm"}
    language = openapi["components"]["schemas"]["SourceRequestForm"]["properties"]["language"]
    assert language["anyOf"][1] == {"type": "string", "maxLength": 0}
    assert "anyOf" not in openapi["components"]["schemas"]["SourceRequest"]["properties"]["language"]


def test_stored_urls_with_a_host_outside_ascii_become_its_idna_form_not_percent_escapes():
    from django.core.validators import URLValidator

    url = percent_encode_uri("https://bücher.example/seite é")
    assert url == "https://xn--bcher-kva.example/seite%20%C3%A9"
    URLValidator()(url)  # a URL Django takes back on the next save


@pytest.mark.parametrize("export", ["csv", "ndjson"])
def test_an_export_with_fields_the_resource_lacks_is_a_400_like_a_page(api, export):
    # Found by schemathesis: CSV, which keeps its own columns, took any ?fields= with a 200.
    ActorFactory()
    response = api.get(f"/api/actors/?format={export}&fields=slug,nonsense")
    assert response.status_code == 400
    assert response.json()["fields"][0].startswith("Unknown field(s): nonsense.")
    accepted = api.get(f"/api/actors/?format={export}&fields=slug,name")
    # Read to the end: an export's body holds its transaction open until then.
    assert (accepted.status_code, len(b"".join(accepted.streaming_content).splitlines())) == (200, 2)


@pytest.mark.parametrize(
    ("path", "permissions", "body", "field"),
    [
        (
            "/api/actors/",
            ("add_actor", "view_actor"),
            {"slug": "a", "name": "A", "kind": "person", "aliases": "0"},
            "aliases",
        ),
        (
            "/api/events/",
            ("add_event", "view_event"),
            {"slug": "e", "title": "E", "start_date": "2022-02-24", "type": "04", "participants": "x"},
            "participants",
        ),
        (
            "/api/events/",
            ("add_event", "view_event"),
            {"slug": "e", "title": "E", "start_date": "2022-02-24", "type": "04", "sources": "1"},
            "sources",
        ),
    ],
)
@pytest.mark.parametrize("form", ["multipart", None])
def test_a_nested_list_sent_as_a_plain_form_field_is_refused_not_dropped(
    event_types, path, permissions, body, field, form
):
    # DRF reads a form's nested list only as ``aliases[0]name=…``; a plain ``aliases=0`` was
    # dropped and the write answered 201 without what the client sent (api/serializers/base.py).
    from actors.models import Actor
    from events.models import Event

    api = token_client(user_with(*permissions))
    if form:
        response = api.post(path, body, format=form)
    else:
        from urllib.parse import urlencode

        response = api.post(path, urlencode(body), content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Actor.objects.filter(slug="a").exists() and not Event.objects.filter(slug="e").exists()
