"""Who may do what: anonymous readers, signed-in users without permission, editors with it."""

import datetime

import pytest
from rest_framework.test import APIClient

from core.publishing import Status
from events.models import Event, Quote
from tests.api.conftest import member_of, token_client, user_with
from tests.factories import ActorFactory, EventFactory, QuoteFactory, SourceFactory

pytestmark = pytest.mark.django_db

NEW_EVENT = {
    "title": "Wang Yi calls Blinken",
    "slug": "wang-yi-calls-blinken",
    "type": "04",
    "start_date": "2022-01-27",
    "date_precision": "day",
}


def test_anonymous_clients_cannot_write(api):
    event = EventFactory(slug="e")
    assert api.post("/api/events/", NEW_EVENT, format="json").status_code == 401
    assert api.patch("/api/events/e/", {"title": "Changed"}, format="json").status_code == 401
    assert api.delete("/api/events/e/").status_code == 401
    assert api.post("/api/events/e/publish/").status_code == 401
    event.refresh_from_db()
    assert Event.objects.count() == 1 and event.title != "Changed"


def test_signed_in_user_without_permission_reads_but_cannot_write():
    client = token_client(user_with(username="reader"))
    EventFactory(slug="e", title="Original")
    EventFactory(slug="draft", status=Status.DRAFT)
    assert [e["slug"] for e in client.get("/api/events/").json()["results"]] == ["e"]
    assert client.get("/api/events/?status=draft").status_code == 403
    assert client.get("/api/events/draft/").status_code == 404
    assert client.post("/api/events/", NEW_EVENT, format="json").status_code == 403
    assert client.patch("/api/events/e/", {"title": "Changed"}, format="json").status_code == 403
    assert client.delete("/api/events/e/").status_code == 403
    assert Event.objects.get(slug="e").title == "Original"


def test_editor_creates_a_draft_recorded_as_theirs(editor_api):
    wang = ActorFactory(slug="wang-yi")
    source = SourceFactory()
    response = editor_api.post(
        "/api/events/",
        {**NEW_EVENT, "participants": [{"actor": "wang-yi", "role": "initiator"}], "sources": [{"source": source.pk}]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    event = Event.objects.get(slug="wang-yi-calls-blinken")
    assert (event.status, event.created_by, event.updated_by) == (Status.DRAFT, editor_api.user, editor_api.user)
    assert [(p.actor, p.role) for p in event.participations.all()] == [(wang, "initiator")]
    assert [c.source for c in event.citations.all()] == [source]
    # Drafts are visible to the editor, on request, and nowhere else.
    assert [e["slug"] for e in editor_api.get("/api/events/?status=draft").json()["results"]] == [event.slug]
    assert APIClient().get("/api/events/wang-yi-calls-blinken/").status_code == 404


def test_publisher_cannot_set_status_directly_and_publish_follows_the_rules(publisher_api):
    event = EventFactory(slug="e", status=Status.DRAFT, cited=False)
    publisher_api.patch("/api/events/e/", {"status": "published"}, format="json", HTTP_IF_MATCH='"1"')
    event.refresh_from_db()
    assert event.status == Status.DRAFT
    response = publisher_api.post("/api/events/e/publish/")
    assert (response.status_code, response.json()) == (
        400,
        {"status": [f"“{event.title}” cannot be published: it cites no published source."]},
    )
    response = publisher_api.patch(
        "/api/events/e/", {"sources": [{"source": SourceFactory().pk}]}, format="json", HTTP_IF_MATCH='"2"'
    )
    assert response.status_code == 200, response.json()
    assert publisher_api.post("/api/events/e/publish/").json() == {"status": "published", "version": 4}
    assert APIClient().get("/api/events/e/").status_code == 200


def test_editor_may_not_publish(editor_api):
    EventFactory(slug="e", status=Status.REVIEW)
    response = editor_api.post("/api/events/e/publish/")
    assert response.status_code == 403
    assert response.json() == {"detail": f"Only a Publisher may publish “{Event.objects.get().title}”."}
    assert Event.objects.get().status == Status.REVIEW


def test_validation_errors_are_400_with_field_messages_and_change_nothing(editor_api):
    EventFactory(slug="taken")
    cases = [
        ({**NEW_EVENT, "slug": "taken"}, {"slug": ["event with this slug already exists."]}),
        ({**NEW_EVENT, "type": "99"}, {"type": ["Object with code=99 does not exist."]}),
        (
            {**NEW_EVENT, "end_date": "2022-01-01"},
            {"non_field_errors": ["The end date cannot be before the start date."]},
        ),
        (
            {**NEW_EVENT, "country": "ru"},
            {"non_field_errors": ["Country must be an ISO 3166-1 alpha-2 code in capitals, such as UA, or blank."]},
        ),
        (
            {**NEW_EVENT, "participants": [{"actor": "nobody"}]},
            {"participants": {"0": {"actor": ["Object with slug=nobody does not exist."]}}},
        ),
        (
            {**NEW_EVENT, "start_date": "2022-02-30"},
            {"start_date": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]},
        ),
    ]
    for payload, errors in cases:
        response = editor_api.post("/api/events/", payload, format="json")
        assert (response.status_code, response.json()) == (400, errors), payload
    assert list(Event.objects.values_list("slug", flat=True)) == ["taken"]


def test_malformed_json_and_wrong_content_type_are_400_or_415(editor_api):
    response = editor_api.generic("POST", "/api/events/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")
    response = editor_api.generic("POST", "/api/events/", "<xml/>", content_type="application/xml")
    assert response.status_code == 415


def test_month_precision_date_is_stored_as_the_first_of_the_month(editor_api):
    payload = {**NEW_EVENT, "start_date": "2022-01-27", "date_precision": "month"}
    response = editor_api.post("/api/events/", payload, format="json")
    assert response.status_code == 201
    assert (response.json()["start_date"], response.json()["date_display"]) == ("2022-01-01", "January 2022")


def test_only_drafts_can_be_deleted(editor_api):
    QuoteFactory(text="live")
    draft = QuoteFactory(text="draft", status=Status.DRAFT)
    live = Quote.objects.get(text="live")
    response = editor_api.delete(f"/api/quotes/{live.pk}/", HTTP_IF_MATCH='"1"')
    assert response.status_code == 400
    assert response.json() == {"status": ["Only drafts can be deleted; this entry is published. Withdraw it instead."]}
    assert editor_api.delete(f"/api/quotes/{draft.pk}/", HTTP_IF_MATCH='"1"').status_code == 204
    assert list(Quote.objects.values_list("text", flat=True)) == ["live"]


def test_editor_writes_quotes_and_actors(editor_api):
    speaker, source = ActorFactory(slug="wang-yi"), SourceFactory()
    response = editor_api.post(
        "/api/quotes/",
        {"text": "Concerns must be respected.", "speaker": "wang-yi", "source": source.pk, "said_on": "2022-01-27"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert Quote.objects.get().speaker == speaker
    response = editor_api.post(
        "/api/actors/",
        {
            "name": "Antony Blinken",
            "slug": "antony-blinken",
            "kind": "person",
            "aliases": [{"name": "Blinken", "language": "en"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["aliases"] == [{"name": "Blinken", "language": "en"}]
    response = editor_api.patch(
        "/api/actors/antony-blinken/", {"wikidata_id": "Blinken"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.json() == {"non_field_errors": ["A Wikidata ID is a Q followed by digits, such as Q7747."]}


def test_anonymous_reads_are_throttled(api, monkeypatch):
    from rest_framework.throttling import AnonRateThrottle

    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    # Distinct addresses: a cached response costs nothing and is not throttled.
    statuses = [api.get(f"/api/event-types/?n={n}").status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_dates_in_representations_follow_the_model(editor_api):
    EventFactory(slug="old", start_date=datetime.date(2001, 1, 1), date_precision="year")
    assert editor_api.get("/api/events/old/").json()["date_display"] == "2001"


def test_nested_alias_with_a_bad_language_is_a_field_error_not_a_database_error(editor_api):
    response = editor_api.post(
        "/api/actors/",
        {
            "name": "Xi Jinping",
            "slug": "xi-jinping",
            "kind": "person",
            "aliases": [{"name": "Xi", "language": "Chinese!"}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "aliases": {"0": {"non_field_errors": ["Language must be a BCP 47 tag such as en, zh or zh-Hant, or blank."]}}
    }


def test_nul_character_in_a_body_is_400(editor_api):
    response = editor_api.post("/api/events/", {**NEW_EVENT, "participants": [{"actor": "a\x00b"}]}, format="json")
    assert (response.status_code, response.json()) == (
        400,
        {"detail": "The request body cannot contain NUL characters."},
    )
    assert not Event.objects.exists()


def test_a_body_over_the_upload_limit_is_a_400_with_a_message(editor_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    response = editor_api.post("/api/events/", {**NEW_EVENT, "summary": "x" * 1_000}, format="json")
    assert (response.status_code, response.json()) == (400, {"detail": "The request body is too large."})
    assert not Event.objects.exists()


def test_json_nested_too_deeply_is_400(editor_api):
    """Beyond the JSON parser's depth; then deep enough for a recursive NUL check, not the parser."""
    too_deep = editor_api.generic("POST", "/api/events/", "[" * 100_000, "application/json")
    deep = editor_api.generic("POST", "/api/events/", '{"title": ' + "[" * 500 + "]" * 500 + "}", "application/json")
    assert (too_deep.status_code, too_deep.json()) == (400, {"detail": "JSON parse error - nested too deeply."})
    assert (deep.status_code, deep.json()["title"]) == (400, ["Not a valid string."])
    assert not Event.objects.exists()


FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.parametrize(
    "bad_id",
    [lambda pk: pk + 0.5, lambda pk: str(pk).translate(FULLWIDTH), lambda pk: True, lambda pk: f"{pk}; DROP TABLE"],
    ids=["a fraction", "fullwidth digits", "true", "SQL"],
)
def test_a_source_id_must_be_a_whole_number_not_something_the_database_would_round(editor_api, bad_id):
    ActorFactory(slug="putin")
    source = SourceFactory()
    body = {"text": "Words", "speaker": "putin", "source": bad_id(source.pk)}
    response = editor_api.post("/api/quotes/", body, format="json")
    assert response.status_code == 400
    assert response.json()["source"][0].startswith("Incorrect type. Expected pk value")
    assert not Quote.objects.exists()


def test_a_partial_update_still_needs_complete_participant_rows(publisher_api):
    event = EventFactory(slug="e")
    response = publisher_api.patch("/api/events/e/", {"participants": [{}]}, format="json", HTTP_IF_MATCH='"1"')
    assert response.json() == {"participants": {"0": {"actor": ["This field is required."]}}}
    event.refresh_from_db()
    assert event.version == 1


def test_editors_rate_does_not_cap_anonymous_clients(api, monkeypatch):
    from api.throttling import EditorRateThrottle

    monkeypatch.setattr(EditorRateThrottle, "THROTTLE_RATES", {"user": "1/minute"})
    assert [api.get(f"/api/event-types/?n={n}").status_code for n in range(3)] == [200, 200, 200]


def test_api_editor_cannot_change_a_published_entry():
    client = token_client(member_of("Editor", "api-edna"))
    EventFactory(slug="live", title="Live")
    response = client.patch("/api/events/live/", {"title": "Changed"}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 403
    assert Event.objects.get(slug="live").title == "Live"


def test_a_read_builds_the_readers_queryset_only_where_it_reads_it(api, monkeypatch):
    # DRF's permission check built the whole queryset of the reader to learn the model, though a
    # GET needs no permission (api.permissions): half a millisecond of every read.
    from api.events import EventViewSet

    EventFactory(slug="e")
    calls = []
    real = EventViewSet.get_queryset
    monkeypatch.setattr(EventViewSet, "get_queryset", lambda view: calls.append(view.action) or real(view))
    assert api.get("/api/events/e/").json()["slug"] == "e"
    assert calls == []  # the public's address reads the read model's row by its own selector
    assert [e["slug"] for e in api.get("/api/events/").json()["results"]] == ["e"]
    assert calls == ["list"]
    assert api.options("/api/events/").status_code == 200
    assert api.post("/api/events/", NEW_EVENT, format="json").status_code == 401
    client = token_client(user_with(username="reader"))
    assert client.post("/api/events/", NEW_EVENT, format="json").status_code == 403
    assert Event.objects.count() == 1
