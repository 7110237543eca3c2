"""Throttles and sign-in lockouts count by the address the outermost proxy saw (api/throttling.py),
never by an X-Forwarded-For the client wrote itself."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_token_throttle_ignores_a_forwarded_for_the_client_wrote(settings):
    get_user_model().objects.create_user("ed", password="right-password-123", is_staff=True)
    api = APIClient()
    statuses = [
        api.post(
            "/api/auth/token/",
            {"username": f"nobody-{n}", "password": "wrong"},
            format="json",
            REMOTE_ADDR="10.9.0.1",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        ).status_code
        for n in range(15)
    ]
    assert statuses == [401] * 10 + [429] * 5


def test_anonymous_throttle_ignores_a_forwarded_for_the_client_wrote(api, monkeypatch):
    from rest_framework.throttling import AnonRateThrottle

    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    statuses = [
        api.get(f"/api/event-types/?n={n}", REMOTE_ADDR="10.9.0.2", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


def test_behind_proxies_the_address_is_the_one_the_outermost_proxy_saw(rf, settings):
    from api.throttling import client_address

    settings.PROXY_COUNT = 1
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")
    assert client_address(request) == "198.51.100.7"
    settings.PROXY_COUNT = 2
    assert client_address(request) == "1.2.3.4"
    settings.PROXY_COUNT = 3  # fewer entries than proxies: the header proves nothing
    assert client_address(request) == "10.0.0.1"
    settings.PROXY_COUNT = 0
    assert client_address(request) == "10.0.0.1"


def test_login_lockout_uses_the_same_client_address(rf, settings):
    from axes.helpers import get_client_ip_address

    from api.throttling import client_address

    settings.PROXY_COUNT = 1
    request = rf.post("/admin/login/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 7.7.7.7")
    assert get_client_ip_address(request) == client_address(request) == "7.7.7.7"
