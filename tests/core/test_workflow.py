import pytest

from core import workflow
from core.publishing import Status
from tests.factories import ActorFactory, CitationFactory, EventFactory, QuoteFactory, SourceFactory

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
