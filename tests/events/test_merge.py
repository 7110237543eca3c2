"""Merging a duplicate actor into its survivor (events.services.merge_actors), by the service and
by the actors admin's action. The race of a merge with an edit is test_merge_race's (PostgreSQL)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from actors.models import ActorAlias
from core import workflow
from core.publishing import Status
from events import services
from tests.editorial import admin_client, token_client
from tests.factories import (
    ActorAliasFactory,
    ActorFactory,
    AffiliationFactory,
    EventFactory,
    ParticipationFactory,
    QuoteFactory,
)

pytestmark = pytest.mark.django_db


def test_merge_moves_everything_to_the_survivor_and_keeps_the_old_name(client, publisher):
    survivor = ActorFactory(name="Wang Yi", slug="wang-yi")
    duplicate = ActorFactory(name="Yi Wang", slug="yi-wang", wikidata_id="Q123")
    ActorAliasFactory(actor=duplicate, name="王毅", language="zh")
    event = EventFactory()
    ParticipationFactory(event=event, actor=duplicate, role="initiator")
    ParticipationFactory(event=event, actor=survivor, role="initiator")  # same role: merged into one
    QuoteFactory(speaker=duplicate, text="Concerns")
    AffiliationFactory(person=duplicate, title="Foreign Minister")
    response = admin_client(publisher).post(
        reverse("admin:actors_actor_changelist"),
        {"action": "merge_actors", "_selected_action": [survivor.pk, duplicate.pk], "survivor": survivor.pk},
    )
    assert response.status_code == 302
    survivor.refresh_from_db()
    duplicate.refresh_from_db()
    assert sorted(a.name for a in survivor.aliases.all()) == ["Yi Wang", "王毅"]
    assert [p.role for p in survivor.participations.all()] == ["initiator"]
    assert [q.text for q in survivor.quotes.all()] == ["Concerns"]
    assert [a.title for a in survivor.affiliations.all()] == ["Foreign Minister"]
    assert (survivor.wikidata_id, duplicate.merged_into, duplicate.status) == ("Q123", survivor, Status.WITHDRAWN)
    assert duplicate.participations.count() == 0
    assert survivor.history.first().history_change_reason == "Merged “Yi Wang” into “Wang Yi”."
    response = client.get("/actors/yi-wang/")
    assert (response.status_code, response["Location"]) == (301, "/actors/wang-yi/")
    assert ActorAlias.objects.filter(name="Yi Wang").get().history.get().history_user == publisher


def test_only_publishers_merge(group_editor):
    a, b = ActorFactory(), ActorFactory()
    with pytest.raises(PermissionDenied):
        services.merge_actors(survivor=a, duplicate=b, user=group_editor)


def test_merge_refuses_an_unpublished_survivor_for_a_published_duplicate(publisher):
    survivor, duplicate = ActorFactory(status=Status.DRAFT), ActorFactory()
    with pytest.raises(workflow.TransitionError, match="publish it first"):
        services.merge_actors(survivor=survivor, duplicate=duplicate, user=publisher)


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


def test_merging_actors_with_long_names_writes_a_note_that_fits(publisher):
    survivor = ActorFactory(name="S" * 60)
    duplicate = ActorFactory(name="D" * 60)
    services.merge_actors(survivor=survivor, duplicate=duplicate, user=publisher)
    survivor.refresh_from_db()
    assert len(survivor.history.latest("history_id").history_change_reason) == 100
