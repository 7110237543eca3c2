"""Schemathesis against the live OpenAPI schema: every operation, at least 100 generated
requests each, as an editors' tool with every permission (so writes reach validation).
No response may be a server error, and every response must match the schema."""

from collections import Counter

import pytest
import schemathesis
from django.core.cache import cache
from django.core.management import call_command
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def load_schema():
    from django.conf import settings as django_settings

    from relations_site.wsgi import application

    # Schema generation needs no database; the WSGI client calls itself "localhost".
    django_settings.ALLOWED_HOSTS = [*django_settings.ALLOWED_HOSTS, "localhost", "testserver"]
    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


schema = load_schema()
CALLS = Counter()


@pytest.fixture
def no_connection_closing():
    """Requests go straight to the WSGI app, not Django's test client: keep the test's
    database connection (and its transaction) open across them, as the test client does."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def editor_token(db, monkeypatch, no_connection_closing):
    from rest_framework.authtoken.models import Token
    from rest_framework.throttling import AnonRateThrottle

    from relations_site.throttling import EditorRateThrottle
    from tests.api.conftest import user_with

    # The fuzzer sends thousands of requests; throttling is tested on its own.
    monkeypatch.setattr(AnonRateThrottle, "allow_request", lambda self, request, view: True)
    monkeypatch.setattr(EditorRateThrottle, "allow_request", lambda self, request, view: True)
    cache.clear()
    call_command("loaddata", "putin_xi_olympics", verbosity=0)
    codenames = [
        f"{action}_{model}"
        for action in ("view", "add", "change", "delete")
        for model in ("event", "actor", "quote", "source")
    ]
    return Token.objects.create(user=user_with(*codenames, username="fuzzer")).key


@schema.parametrize()
@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_every_operation_conforms_and_never_errors(case, editor_token):
    CALLS[f"{case.operation.method.upper()} {case.operation.path}"] += 1
    case.call_and_validate(headers={"Authorization": f"Token {editor_token}"}, checks=CHECKS)


def test_every_operation_got_at_least_100_requests():
    """Runs after the fuzzing above (pytest keeps file order): proves the volume, not just the settings."""
    if not CALLS:
        pytest.skip("run together with the fuzzing test")
    operations = {f"{op.method.upper()} {op.path}" for op in schema.get_all_operations() for op in [op.ok()]}
    assert set(CALLS) == operations
    assert min(CALLS.values()) >= 100, CALLS
