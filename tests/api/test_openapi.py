import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def openapi(api):
    response = api.get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def parameter(openapi, path, name):
    return next(p for p in openapi["paths"][path]["get"]["parameters"] if p["name"] == name)


def test_filter_parameters_are_documented_with_type_and_format(openapi):
    date_from = parameter(openapi, "/api/events/", "date_from")["schema"]
    assert (date_from["type"], date_from["description"]) == (
        "string",
        "YYYY, YYYY-MM or YYYY-MM-DD; matches entries whose period overlaps it.",
    )
    actor = parameter(openapi, "/api/events/", "actor")
    assert (actor["schema"]["type"], actor["style"], actor["explode"]) == ("array", "form", True)
    assert parameter(openapi, "/api/events/", "country")["schema"]["pattern"] == "^([A-Za-z]{2})?$"
    assert parameter(openapi, "/api/quotes/", "source")["schema"] == {
        "type": "string",
        "pattern": "^([1-9][0-9]{0,17})?$",
    }
    assert parameter(openapi, "/api/events/", "page_size")["schema"]["anyOf"][0]["maximum"] == 100
    assert parameter(openapi, "/api/events/", "format")["schema"]["enum"] == ["json", "csv", "ndjson", ""]
    ordering = parameter(openapi, "/api/events/", "ordering")
    assert set(ordering["schema"]["items"]["enum"]) == {"date", "-date", "title", "-title", ""}
    for path in ("/api/events/", "/api/quotes/", "/api/actors/", "/api/sources/"):
        names = {p["name"] for p in openapi["paths"][path]["get"]["parameters"]}
        assert {"q", "ordering", "cursor", "page_size", "fields", "format", "status"} <= names, path


def test_docs_page_loads_swagger_ui_from_the_projects_own_static_files(client):
    html = client.get("/api/docs/").content.decode()
    scripts = re.findall(r'src="([^"]+)"', html) + re.findall(r'href="([^"]+\.css)"', html)
    # The page's own set-up script is a separate same-origin file, not inline: the
    # Content-Security-Policy allows no inline script.
    assert scripts and all(url.startswith(("/static/", "/api/docs/?script=")) for url in scripts), scripts
    assert "<script>" not in html
    assert "cdn" not in html.lower()


def test_api_root_lists_the_resources(api):
    assert set(api.get("/api/").json()) == {"events", "actors", "quotes", "sources", "event-types"}


def test_schema_refuses_a_version_parameter_rather_than_printing_it_into_a_header(api):
    """drf-spectacular put ?version= into the Content-Disposition filename: a line break was a 500."""
    response = api.get("/api/schema/?format=json&version=a%0D%0ASet-Cookie:%20x=y")
    assert (response.status_code, response.json()) == (
        400,
        {"version": ["The API has one version: leave out version."]},
    )
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize(
    ("query", "headers"),
    [("format=json", {}), ("", {"Accept": "application/json"}), ("", {"Authorization": "Token expired"})],
    ids=["format", "accept", "stale token"],
)
def test_docs_page_is_the_same_page_whatever_the_client_asks(client, query, headers):
    """It was a 400 or 406 page without a message, or a 401."""
    response = client.get(f"/api/docs/?{query}", headers=headers)
    assert response.status_code == 200
    assert "swagger-ui" in response.content.decode()


@pytest.mark.parametrize("method", ["options", "post", "put", "patch", "delete"])
def test_docs_page_refuses_methods_other_than_get_and_head(client, method):
    response = getattr(client, method)("/api/docs/")
    assert (response.status_code, response["Allow"]) == (405, "GET, HEAD")


def test_docs_page_answers_head(client):
    response = client.head("/api/docs/")
    assert (response.status_code, response.content) == (200, b"")
