"""Whom the API takes a request from (api/authentication.py): an account that lost staff status
reads as the public, by token or by session, and writes nothing."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from core.publishing import Status
from events.models import Event
from tests.editorial import member_of, token_client
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def test_a_token_stops_working_when_its_account_loses_staff_status():
    user = member_of("Publisher", "former")
    EventFactory(slug="draft", status=Status.DRAFT)
    api = token_client(user)
    assert api.get("/api/events/?status=draft").status_code == 200
    get_user_model().objects.filter(pk=user.pk).update(is_staff=False)
    response = api.get("/api/events/?status=draft")
    assert (response.status_code, response.json()) == (
        401,
        {"detail": "This token's account may no longer use the API as an editor."},
    )
    assert (
        api.post("/api/events/", {"title": "x", "slug": "x", "type": "04", "start_date": "2022-01-01"}).status_code
        == 401
    )
    assert not Event.objects.filter(slug="x").exists()


def test_a_session_of_an_account_that_lost_staff_status_reads_as_the_public():
    user = member_of("Publisher", "former")
    EventFactory(slug="draft", title="previewleak", status=Status.DRAFT)
    client = Client()
    client.force_login(user)
    get_user_model().objects.filter(pk=user.pk).update(is_staff=False)
    assert client.get("/api/events/draft/").status_code == 404
    assert client.get("/events/draft/").status_code == 404
    body = {"title": "x", "slug": "x", "type": "04", "start_date": "2022-01-01"}
    assert client.post("/api/events/", body, content_type="application/json").status_code == 401
    assert not Event.objects.filter(slug="x").exists()
