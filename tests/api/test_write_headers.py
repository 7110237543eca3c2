"""If-Match and X-Change-Reason, the headers of every API write: no update lost, no reason
written that cannot be stored."""

import pytest

from core.publishing import Status
from events.models import Event
from tests.editorial import token_client
from tests.factories import EventFactory, QuoteFactory

pytestmark = pytest.mark.django_db


def test_api_if_match_protects_against_lost_updates(publisher):
    api = token_client(publisher)
    EventFactory(slug="e", title="Start", status=Status.DRAFT)
    response = api.get("/api/events/e/?status=draft")
    etag = response["ETag"]
    assert etag == '"1"'
    first = api.patch("/api/events/e/", {"title": "A"}, format="json", HTTP_IF_MATCH=etag)
    second = api.patch("/api/events/e/", {"title": "B"}, format="json", HTTP_IF_MATCH=etag)
    missing = api.patch("/api/events/e/", {"title": "C"}, format="json")
    assert (first.status_code, first["ETag"]) == (200, '"2"')
    assert second.status_code == 412
    assert "was changed by someone else since you opened it" in second.json()["detail"]
    assert missing.status_code == 428
    assert Event.objects.get(slug="e").title == "A"


def test_api_if_match_must_be_an_etag_of_ours(publisher):
    api = token_client(publisher)
    EventFactory(slug="e", title="Start", status=Status.DRAFT)
    # "１" (fullwidth) was read as version 1; thousands of digits were a ValueError (a 500).
    for header in ['"１"', '"' + "9" * 5000 + '"']:
        response = api.patch("/api/events/e/", {"title": "A"}, format="json", HTTP_IF_MATCH=header)
        assert response.status_code == 412
        assert response.json() == {"detail": 'If-Match must be the ETag of the entry, such as "1".'}
    assert Event.objects.get(slug="e").title == "Start"


def test_api_change_reason_with_a_nul_byte_is_refused_before_anything_is_written(publisher):
    api = token_client(publisher)
    event = EventFactory(slug="e", title="Start", status=Status.DRAFT)
    response = api.patch(
        "/api/events/e/", {"title": "A"}, format="json", HTTP_IF_MATCH='"1"', HTTP_X_CHANGE_REASON="a\x00b"
    )
    assert (response.status_code, response.json()) == (400, {"detail": "Headers and cookies cannot contain NUL bytes."})
    event.refresh_from_db()
    assert (event.title, event.version, event.history.count()) == ("Start", 1, 1)


def test_api_change_reason_is_recorded_when_a_generated_date_changes_too(publisher):
    """Changing said_on changes the generated said_until: the reason still reaches the record."""
    api = token_client(publisher)
    quote = QuoteFactory(status=Status.DRAFT)
    response = api.patch(
        f"/api/quotes/{quote.pk}/", {"said_on": "2022-02-05"}, format="json",
        HTTP_IF_MATCH='"1"', HTTP_X_CHANGE_REASON="Wrong day",
    )  # fmt: skip
    assert response.status_code == 200, response.json()
    assert quote.history.latest("history_id").history_change_reason == "Wrong day"


def test_an_api_change_reason_over_the_limit_is_a_400_that_changes_nothing(publisher):
    EventFactory(slug="e", title="Before")
    response = token_client(publisher).patch(
        "/api/events/e/", {"title": "After"}, HTTP_IF_MATCH='"1"', HTTP_X_CHANGE_REASON="x" * 101
    )
    assert (response.status_code, response.json()) == (
        400,
        {"X-Change-Reason": ["At most 100 characters (101 given)."]},
    )
    assert Event.objects.get(slug="e").title == "Before"
