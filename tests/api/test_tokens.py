"""Editors' API tokens (api/tokens.py): given for a password, the same while valid, rotated,
expired, locked after wrong passwords and throttled per address; and session writes need the
CSRF token."""

import datetime

from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


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


def test_session_authenticated_api_writes_need_the_csrf_token(staff_editor):
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(staff_editor)
    response = api.post("/api/auth/token/rotate/")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not Token.objects.exists()
