"""The editors' admin: every model's changelist, add and change pages, and the bulk actions."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actors.models import Actor, ActorAlias, Affiliation
from core.publishing import Status
from events.models import Citation, Event, EventType, Participation, Quote, Source
from tests.factories import (
    ActorAliasFactory,
    ActorFactory,
    AffiliationFactory,
    CitationFactory,
    EventFactory,
    ParticipationFactory,
    QuoteFactory,
    SourceFactory,
    event_type,
)

pytestmark = pytest.mark.django_db


def make_event(n):
    event = EventFactory(event_type=event_type(["04", "042", "057", "11"][n % 4]), updated_by=None)
    ParticipationFactory(event=event)
    CitationFactory(event=event)
    return event


BUILDERS = {
    Actor: lambda n: ActorFactory(),
    ActorAlias: lambda n: ActorAliasFactory(),
    Affiliation: lambda n: AffiliationFactory(),
    EventType: None,  # seeded by the data migration: 31 rows already
    Event: make_event,
    Participation: lambda n: ParticipationFactory(),
    Citation: lambda n: CitationFactory(),
    Source: lambda n: SourceFactory(),
    Quote: lambda n: QuoteFactory(event=EventFactory()),
}

# Queries per changelist, whatever the number of rows: session, user, counts, the page,
# and one per list filter that lists related rows. A change here is a new query per page
# (fine if intended) or per row (never fine).
CHANGELIST_QUERIES = {
    Actor: 6,
    ActorAlias: 6,
    Affiliation: 7,
    EventType: 5,
    Event: 8,
    Participation: 5,
    Citation: 5,
    Source: 8,
    Quote: 8,
}


def changelist_url(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def count_queries(client, url):
    # Start cold: the content-type cache would otherwise make counts depend on test order.
    ContentType.objects.clear_cache()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


@pytest.mark.parametrize("model", list(BUILDERS), ids=lambda m: m.__name__)
def test_changelist_query_count_is_the_same_for_1_and_30_rows(editor_client, model):
    build = BUILDERS[model]
    if build:
        build(0)
    url = changelist_url(model)
    with_one, response = count_queries(editor_client, url)
    assert response.context["cl"].result_count == (model.objects.count())
    if build:
        for n in range(1, 30):
            build(n)
    with_thirty, response = count_queries(editor_client, url)
    assert len(response.context["cl"].result_list) == model.objects.count()
    assert (with_one, with_thirty) == (CHANGELIST_QUERIES[model], CHANGELIST_QUERIES[model])


@pytest.mark.parametrize("model", list(BUILDERS), ids=lambda m: m.__name__)
def test_add_page_renders_the_form(editor_client, model):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
    response = editor_client.get(url)
    assert response.status_code == 200
    assert response.context["adminform"].form._meta.model is model


@pytest.mark.parametrize("model", list(BUILDERS), ids=lambda m: m.__name__)
def test_change_page_shows_the_entry(editor_client, model):
    obj = BUILDERS[model](0) if BUILDERS[model] else event_type("042")
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
    response = editor_client.get(url)
    assert response.status_code == 200
    assert response.context["original"] == obj
    assert str(obj) in response.content.decode()


def test_change_page_of_an_event_runs_a_pinned_number_of_queries(editor_client):
    """Inline rows cost what Django's autocomplete widgets cost (one query each, to render
    the chosen actor or source); everything else is loaded with the rows."""
    event = EventFactory(cited=False)
    url = reverse("admin:events_event_change", args=[event.pk])

    def add_rows(n):
        for _ in range(n):
            ParticipationFactory(event=event)
            CitationFactory(event=event)
            QuoteFactory(event=event)

    add_rows(1)
    with_one, response = count_queries(editor_client, url)
    add_rows(9)
    with_ten, _ = count_queries(editor_client, url)
    # One query per autocomplete widget with a value (actor; source; quote speaker and source).
    assert (with_one, with_ten) == (13, 13 + 9 * 4)
    assert "view on site" in response.content.decode().lower()


def test_actor_search_finds_an_actor_by_alias(editor_client):
    russia = ActorFactory(name="Russia", slug="russia", kind="state")
    ActorAliasFactory(actor=russia, name="Moscow")
    ActorFactory(name="China", slug="china", kind="state")
    response = editor_client.get(changelist_url(Actor), {"q": "moscow"})
    assert list(response.context["cl"].result_list) == [russia]


def test_add_actor_records_creator_and_starts_as_draft(editor_client, editor):
    response = editor_client.post(
        reverse("admin:actors_actor_add"),
        {
            "name": "Wang Yi",
            "slug": "wang-yi",
            "kind": "person",
            "country": "CN",
            "description": "",
            "wikidata_id": "",
            "aliases-TOTAL_FORMS": "1",
            "aliases-INITIAL_FORMS": "0",
            "aliases-0-name": "王毅",
            "aliases-0-language": "zh",
            "affiliations-TOTAL_FORMS": "0",
            "affiliations-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    actor = Actor.objects.get(slug="wang-yi")
    assert (actor.status, actor.created_by, actor.updated_by) == (Status.DRAFT, editor, editor)
    assert [a.name for a in actor.aliases.all()] == ["王毅"]


def test_add_actor_with_bad_wikidata_id_shows_form_error_and_saves_nothing(editor_client):
    response = editor_client.post(
        reverse("admin:actors_actor_add"),
        {
            "name": "Wang Yi",
            "slug": "wang-yi",
            "kind": "person",
            "wikidata_id": "wang",
            "aliases-TOTAL_FORMS": "0",
            "aliases-INITIAL_FORMS": "0",
            "affiliations-TOTAL_FORMS": "0",
            "affiliations-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "A Wikidata ID is a Q followed by digits, such as Q7747."
    ]
    assert not Actor.objects.filter(slug="wang-yi").exists()


def test_status_cannot_be_set_through_the_change_form(editor_client):
    actor = ActorFactory(status=Status.DRAFT, name="Draft", slug="draft")
    editor_client.post(
        reverse("admin:actors_actor_change", args=[actor.pk]),
        {
            "name": "Draft",
            "slug": "draft",
            "kind": "person",
            "status": "published",
            "aliases-TOTAL_FORMS": "0",
            "aliases-INITIAL_FORMS": "0",
            "affiliations-TOTAL_FORMS": "0",
            "affiliations-INITIAL_FORMS": "0",
        },
    )
    actor.refresh_from_db()
    assert actor.status == Status.DRAFT


def run_action(client, model, action, objects):
    return client.post(
        changelist_url(model),
        {"action": action, "_selected_action": [obj.pk for obj in objects]},
        follow=True,
    )


def test_bulk_publish_publishes_what_it_may_and_explains_the_rest(editor_client, editor):
    ready = EventFactory(status=Status.REVIEW, title="Ready", cited=False)
    CitationFactory(event=ready)
    unsourced = EventFactory(status=Status.REVIEW, title="Unsourced", cited=False)
    response = run_action(editor_client, Event, "publish", [ready, unsourced])
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [
        "Published 1 event.",
        "“Unsourced” cannot be published: it cites no published source.",
    ]
    ready.refresh_from_db()
    unsourced.refresh_from_db()
    assert (ready.status, ready.updated_by, unsourced.status) == (Status.PUBLISHED, editor, Status.REVIEW)


def test_bulk_send_to_review_and_withdraw(editor_client):
    drafts = [SourceFactory(status=Status.DRAFT) for _ in range(2)]
    response = run_action(editor_client, Source, "send_to_review", drafts)
    assert [str(m) for m in response.context["messages"]] == ["Sent to review 2 sources."]
    assert set(Source.objects.values_list("status", flat=True)) == {Status.REVIEW}

    live = QuoteFactory(status=Status.PUBLISHED)
    response = run_action(editor_client, Quote, "withdraw", [live])
    assert [str(m) for m in response.context["messages"]] == ["Withdrew 1 quote."]
    live.refresh_from_db()
    assert live.status == Status.WITHDRAWN


def test_bulk_publish_quote_with_draft_speaker_is_refused(editor_client):
    quote = QuoteFactory(status=Status.REVIEW, speaker=ActorFactory(name="Hidden", status=Status.DRAFT))
    response = run_action(editor_client, Quote, "publish", [quote])
    assert [str(m) for m in response.context["messages"]] == [
        f"“{quote}” cannot be published: its speaker “Hidden” is not published."
    ]
    quote.refresh_from_db()
    assert quote.status == Status.REVIEW


def test_actor_autocomplete_answers_by_alias(editor_client):
    russia = ActorFactory(name="Russia", slug="russia", kind="state")
    ActorAliasFactory(actor=russia, name="Moscow")
    response = editor_client.get(
        reverse("admin:autocomplete"),
        {"term": "Mosc", "app_label": "events", "model_name": "participation", "field_name": "actor"},
    )
    assert [r["text"] for r in response.json()["results"]] == ["Russia"]
