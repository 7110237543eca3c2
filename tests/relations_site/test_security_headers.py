"""Security headers on every response (cached ones too), HTTPS in production, the health check,
CORS for the configured origins on the API only, and the content security policy."""

import pytest
from django.test import override_settings

from tests.factories import EventFactory

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def directives(policy):
    return sorted(part.strip() for part in policy.split(";"))


SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/", "/events/", "/api/events/", "/api/schema/", "/feeds/events/", "/no-such-page/", "/admin/login/"]
)
def test_security_headers_on_every_response(client, url):
    EventFactory()
    for attempt in ("first", "cached"):
        response = client.get(url)
        for header, value in SECURITY_HEADERS.items():
            assert response.headers.get(header) == value, (url, attempt, header)
        # django-csp writes the directives in no fixed order.
        assert directives(response.headers["Content-Security-Policy"]) == directives(CSP), (url, attempt)


@pytest.mark.django_db
def test_hsts_is_sent_over_https(client):
    response = client.get("/events/", secure=True)
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https_in_production(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/events/?type=04")
    assert response.status_code == 301
    assert response.headers["Location"] == "https://testserver/events/?type=04"
    # Behind the proxy: the forwarded scheme counts, and the proxy's health check is exempt.
    assert client.get("/events/", headers={"X-Forwarded-Proto": "https"}).status_code == 200
    assert client.get("/healthz/").status_code == 200


@pytest.mark.django_db
def test_healthz_reports_the_database(client):
    response = client.get("/healthz/")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


@pytest.mark.django_db
def test_no_cors_headers_unless_configured(client):
    response = client.get("/api/events/", headers={"Origin": "https://newsroom.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.django_db
@override_settings(CORS_ALLOWED_ORIGINS=["https://newsroom.example"])
def test_cors_for_configured_origins_on_the_api_only(client):
    api = client.get("/api/events/", headers={"Origin": "https://newsroom.example"})
    assert api.headers["Access-Control-Allow-Origin"] == "https://newsroom.example"
    other = client.get("/api/events/", headers={"Origin": "https://elsewhere.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    page = client.get("/events/", headers={"Origin": "https://newsroom.example"})
    assert "Access-Control-Allow-Origin" not in page.headers
    preflight = client.options(
        "/api/events/",
        headers={
            "Origin": "https://newsroom.example",
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "if-match, authorization",
        },
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://newsroom.example"
    assert "if-match" in preflight.headers["Access-Control-Allow-Headers"]


@pytest.mark.django_db
def test_inline_styles_are_allowed_only_on_the_apis_html_pages(client):
    browsable = client.get("/api/events/", headers={"Accept": "text/html"})
    assert "style-src 'self' 'unsafe-inline'" in directives(browsable.headers["Content-Security-Policy"])
    assert "script-src 'self'" in directives(browsable.headers["Content-Security-Policy"])
    for response in (client.get("/api/events/"), client.get("/events/")):
        assert "style-src 'self'" in directives(response.headers["Content-Security-Policy"])
