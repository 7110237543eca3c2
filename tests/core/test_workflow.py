"""The workflow every entry shares (core.workflow): who may do what, the publication rules, the
notes it writes in the history, and deletion; by the services, and by the admin and the API that
use them."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from actors.models import Actor
from core import workflow
from core.publishing import Status
from events.models import Event, Quote, Source
from tests.editorial import admin_client, token_client
from tests.factories import (
    ActorFactory,
    CitationFactory,
    EventFactory,
    ParticipationFactory,
    QuoteFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


def test_publish_event_with_published_source_publishes_and_records_user(editor):
    event = EventFactory(status=Status.REVIEW, cited=False)
    CitationFactory(event=event, source=SourceFactory(status=Status.PUBLISHED))
    workflow.publish(obj=event, user=editor)
    event.refresh_from_db()
    assert (event.status, event.updated_by) == (Status.PUBLISHED, editor)


def test_publish_event_without_published_source_is_refused_with_reason(editor):
    event = EventFactory(status=Status.DRAFT, title="Putin visits Beijing", cited=False)
    CitationFactory(event=event, source=SourceFactory(status=Status.DRAFT))
    with pytest.raises(workflow.PublicationError) as excinfo:
        workflow.publish(obj=event, user=editor)
    assert str(excinfo.value) == "“Putin visits Beijing” cannot be published: it cites no published source."
    event.refresh_from_db()
    assert event.status == Status.DRAFT


def test_publish_quote_with_draft_speaker_and_source_names_both(editor):
    quote = QuoteFactory(
        status=Status.REVIEW,
        text="Words",
        speaker=ActorFactory(name="Wang Yi", status=Status.DRAFT),
        source=SourceFactory(title="Wire story", publisher="", status=Status.DRAFT),
    )
    with pytest.raises(workflow.PublicationError) as excinfo:
        workflow.publish(obj=quote, user=editor)
    assert excinfo.value.problems == [
        "its speaker “Wang Yi” is not published",
        "its source “Wire story” is not published",
    ]
    quote.refresh_from_db()
    assert quote.status == Status.REVIEW


def test_publish_actor_and_source_have_no_prerequisites(editor):
    actor = ActorFactory(status=Status.DRAFT)
    source = SourceFactory(status=Status.REVIEW)
    workflow.publish(obj=actor, user=editor)
    workflow.publish(obj=source, user=editor)
    actor.refresh_from_db()
    source.refresh_from_db()
    assert (actor.status, source.status) == (Status.PUBLISHED, Status.PUBLISHED)


def test_withdraw_published_and_publish_again(editor):
    source = SourceFactory(status=Status.PUBLISHED)
    workflow.withdraw(obj=source, user=editor)
    source.refresh_from_db()
    assert source.status == Status.WITHDRAWN
    workflow.publish(obj=source, user=editor)
    source.refresh_from_db()
    assert source.status == Status.PUBLISHED


def test_withdraw_draft_is_refused(editor):
    actor = ActorFactory(status=Status.DRAFT, name="Draft actor")
    with pytest.raises(workflow.TransitionError) as excinfo:
        workflow.withdraw(obj=actor, user=editor)
    assert str(excinfo.value) == "“Draft actor” is draft; it cannot be withdrawn."


def test_send_to_review_from_draft_only_not_from_published(editor):
    draft = ActorFactory(status=Status.DRAFT)
    workflow.send_to_review(obj=draft, user=editor)
    draft.refresh_from_db()
    assert draft.status == Status.REVIEW
    published = ActorFactory(status=Status.PUBLISHED, name="Live")
    with pytest.raises(workflow.TransitionError) as excinfo:
        workflow.send_to_review(obj=published, user=editor)
    assert str(excinfo.value) == "“Live” is published; it cannot be sent to review."


def test_publish_already_published_is_refused(editor):
    actor = ActorFactory(status=Status.PUBLISHED, name="Live")
    with pytest.raises(workflow.TransitionError, match="already published"):
        workflow.publish(obj=actor, user=editor)


# Roles ----------------------------------------------------------------------------------------


def test_roles_exist_with_their_permissions(group_editor, publisher):
    draft = EventFactory(status=Status.REVIEW)
    assert not workflow.can_publish(group_editor, draft)
    assert workflow.can_publish(publisher, draft)
    with pytest.raises(PermissionDenied, match="Only a Publisher may publish"):
        workflow.publish(obj=draft, user=group_editor)
    workflow.send_to_review(obj=EventFactory(status=Status.DRAFT), user=group_editor)
    workflow.publish(obj=draft, user=publisher)
    assert Event.objects.get(pk=draft.pk).status == Status.PUBLISHED


def test_editor_cannot_bring_back_a_withdrawn_entry(group_editor, publisher):
    event = EventFactory()
    workflow.withdraw(obj=event, user=publisher)
    with pytest.raises(PermissionDenied, match="Only a Publisher may bring back"):
        workflow.send_to_review(obj=event, user=group_editor)


# Publishing with the related entries ----------------------------------------------------------


def test_publish_with_related_publishes_draft_sources_and_actors(publisher):
    event = EventFactory(status=Status.REVIEW, cited=False)
    source = SourceFactory(status=Status.DRAFT)
    actor = ActorFactory(status=Status.DRAFT)
    CitationFactory(event=event, source=source)
    ParticipationFactory(event=event, actor=actor)
    with pytest.raises(workflow.PublicationError):
        workflow.publish(obj=event, user=publisher)
    workflow.publish(obj=event, user=publisher, include_related=True)
    statuses = [type(o).objects.get(pk=o.pk).status for o in (event, source, actor)]
    assert statuses == [Status.PUBLISHED] * 3
    assert source.history.first().history_change_reason == f"Published with “{event}”."


def test_publish_quote_with_related_publishes_speaker_and_source(publisher):
    quote = QuoteFactory(
        status=Status.DRAFT, speaker=ActorFactory(status=Status.DRAFT), source=SourceFactory(status=Status.REVIEW)
    )
    workflow.publish(obj=quote, user=publisher, include_related=True)
    assert Quote.objects.published().get() == quote


# The notes the workflow writes in the history fit its tables (over 100 characters was a 500) ---


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


def test_every_history_table_holds_notes_of_the_length_the_services_write():
    from django.apps import apps

    for model in [*apps.get_app_config("actors").get_models(), *apps.get_app_config("events").get_models()]:
        if model.__name__.startswith("Historical"):
            field = model._meta.get_field("history_change_reason")
            assert field.max_length == workflow.NOTE_MAX_LENGTH, model


# Deletion: drafts only, and none that others refer to -----------------------------------------


def test_published_entries_are_withdrawn_not_deleted(publisher):
    client = admin_client(publisher)
    live, draft = EventFactory(title="Live"), EventFactory(title="Draft", status=Status.DRAFT)
    QuoteFactory(event=live)
    assert client.get(reverse("admin:events_event_delete", args=[live.pk])).status_code == 403
    response = client.post(
        reverse("admin:events_event_changelist"),
        {"action": "delete_drafts", "_selected_action": [live.pk, draft.pk]},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == [
        "Deleted 1 event.",
        "Only drafts can be deleted; this entry is published. Withdraw it instead.",
    ]
    assert list(Event.objects.values_list("title", flat=True)) == ["Live"]
    workflow.withdraw(obj=live, user=publisher)
    workflow.publish(obj=live, user=publisher)  # restore
    assert Event.objects.published().get() == live
    assert live.quotes.count() == 1 and live.citations.count() == 1


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
