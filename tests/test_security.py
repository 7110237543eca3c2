"""Production settings, security headers, error pages, login rate limiting, API tokens, CORS, CSRF."""

import datetime
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.urls import path
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import EventFactory

ROOT = Path(__file__).resolve().parent.parent

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def production_env(**extra):
    # Not the test run's own settings (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE).
    dropped = ("DEBUG", "SECURE_SSL_REDIRECT", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    return {**env, "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "relations.example", **extra}


def test_deploy_check_passes_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_fails_when_https_is_switched_off():
    # The check is real: the same command fails once a production protection is removed.
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="0"),
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W008" in result.stderr


def test_a_short_secret_key_is_refused_at_start():
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**production_env(), "DJANGO_SETTINGS_MODULE": "relations_site.settings", "SECRET_KEY": "short"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be at least 50 characters" in result.stderr


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


# Error pages --------------------------------------------------------------------------------


def boom(request):
    raise RuntimeError("secret internals: password=hunter2")


urlpatterns = [path("boom/", boom), path("api/boom/", boom)]
handler404 = "public.views.errors.page_not_found"
handler500 = "public.views.errors.server_error"


@pytest.mark.django_db
@pytest.mark.urls("tests.test_security")
def test_500_page_tells_nothing_of_the_internals():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    body = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in body
    assert "hunter2" not in body and "RuntimeError" not in body and "Traceback" not in body
    api = client.get("/api/boom/")
    assert (api.status_code, api.json()) == (
        500,
        {"detail": "Server error. It has been logged; try again in a moment."},
    )


@pytest.mark.django_db
def test_404_page_is_the_sites_own(client):
    response = client.get("/events/no-such-event/")
    assert response.status_code == 404
    assert "There is no published page at this address" in response.content.decode()
    assert client.get("/api/no-such-resource/").json() == {"detail": "Not found."}


@pytest.mark.django_db
def test_400_page_for_a_disallowed_host(client):
    response = client.get("/events/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    body = response.content.decode()
    assert "This request could not be understood" in body
    assert "ALLOWED_HOSTS" not in body and "evil.example" not in body


@pytest.mark.django_db
def test_403_page_for_a_form_without_csrf_token():
    response = Client(enforce_csrf_checks=True).post("/admin/login/", {"username": "a", "password": "b"})
    assert response.status_code == 403
    assert "sent without a valid security token" in response.content.decode()


@pytest.mark.django_db
def test_403_page_for_a_signed_in_user_without_rights(client):
    user = get_user_model().objects.create_user("reader", password="pw-for-tests-only", is_staff=True)
    client.force_login(user)
    response = client.get("/admin/events/event/add/")
    assert response.status_code == 403
    assert "needs an editor's account with the right permission" in response.content.decode()


# Login rate limiting --------------------------------------------------------------------------


@pytest.fixture
def staff_editor(db):
    return get_user_model().objects.create_user("ed", password="right-password-123", is_staff=True)


def admin_login(client, password, address="10.0.0.1"):
    return client.post("/admin/login/?next=/admin/", {"username": "ed", "password": password}, REMOTE_ADDR=address)


def test_admin_login_is_locked_after_five_failures_for_that_address(staff_editor):
    client = Client()
    for _ in range(4):
        assert admin_login(client, "wrong").status_code == 200  # the form again, with an error
    locked = admin_login(client, "wrong")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    # Even the right password is refused now, from that address…
    assert admin_login(client, "right-password-123").status_code == 429
    # …but the editor can still sign in from elsewhere: a stranger cannot lock them out.
    assert admin_login(Client(), "right-password-123", address="10.0.0.2").status_code == 302


def test_successful_login_resets_the_count(staff_editor):
    client = Client()
    for _ in range(4):
        admin_login(client, "wrong")
    assert admin_login(client, "right-password-123").status_code == 302
    for _ in range(4):
        assert admin_login(Client(), "wrong").status_code == 200


# API tokens -----------------------------------------------------------------------------------


def get_token(api, password="right-password-123", address="10.0.0.1"):
    return api.post("/api/auth/token/", {"username": "ed", "password": password}, format="json", REMOTE_ADDR=address)


def test_editor_gets_a_token_with_password_and_it_works(staff_editor):
    api = APIClient()
    response = get_token(api)
    assert response.status_code == 200
    token = Token.objects.get(user=staff_editor)
    assert response.json()["token"] == token.key
    assert response.json()["expires_at"] == (token.created + datetime.timedelta(days=90)).isoformat(timespec="seconds")
    assert get_token(api).json()["token"] == token.key  # the same while valid
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/events/?status=all").status_code != 401


def test_token_endpoint_refuses_wrong_passwords_then_locks(staff_editor):
    api = APIClient()
    for _ in range(4):
        response = get_token(api, "wrong")
        assert (response.status_code, response.json()) == (401, {"detail": "Wrong username or password."})
    locked = get_token(api, "wrong")
    assert locked.status_code == 429
    assert locked.json() == {
        "detail": "Too many failed attempts for this username from your address. Try again in 15 minutes."
    }
    assert locked.headers["Retry-After"] == "900"
    assert get_token(api).status_code == 429
    assert not Token.objects.exists()


def test_token_endpoint_is_throttled_per_address(staff_editor, settings):
    api = APIClient()
    codes = [get_token(api, address="10.1.0.1").status_code for _ in range(11)]
    assert codes == [200] * 10 + [429]
    assert get_token(api, address="10.1.0.2").status_code == 200


def test_tokens_are_for_editors_only(db):
    get_user_model().objects.create_user("ed", password="right-password-123", is_staff=False)
    response = get_token(APIClient())
    assert (response.status_code, response.json()) == (403, {"detail": "API tokens are for editors."})


def test_rotation_replaces_the_token_at_once(staff_editor):
    old = Token.objects.create(user=staff_editor).key
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {old}")
    response = api.post("/api/auth/token/rotate/")
    assert response.status_code == 200
    new = response.json()["token"]
    assert new != old and Token.objects.get(user=staff_editor).key == new
    assert api.get("/api/events/").status_code == 401  # the old token is gone
    api.credentials(HTTP_AUTHORIZATION=f"Token {new}")
    assert api.get("/api/events/").status_code == 200
    assert api.delete("/api/auth/token/").status_code == 204
    assert not Token.objects.exists()


def test_rotation_needs_a_signed_in_editor(db):
    assert APIClient().post("/api/auth/token/rotate/").status_code == 401


def test_expired_tokens_are_refused_with_a_message(staff_editor):
    token = Token.objects.create(user=staff_editor)
    Token.objects.filter(pk=token.pk).update(created=token.created - datetime.timedelta(days=91))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.get("/api/events/")
    assert response.status_code == 401
    assert "This token has expired" in response.json()["detail"]
    # A new password login replaces it.
    assert get_token(APIClient()).json()["token"] != token.key


# CSRF and CORS --------------------------------------------------------------------------------


def test_session_authenticated_api_writes_need_the_csrf_token(staff_editor):
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(staff_editor)
    response = api.post("/api/auth/token/rotate/")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not Token.objects.exists()


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
