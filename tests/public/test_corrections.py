"""Corrections on a published entry's page: what changed after publication, with the reason;
drafting before publication is no correction."""

import pytest
from django.urls import reverse

from core import workflow
from core.publishing import Status
from tests.editorial import admin_client, event_form
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def test_published_entry_shows_last_updated_and_its_corrections(client, publisher):
    event = EventFactory(status=Status.DRAFT, title="Before", summary="Said on Tuesday.")
    workflow.publish(obj=event, user=publisher)
    event.refresh_from_db()
    admin_client(publisher).post(
        reverse("admin:events_event_change", args=[event.pk]),
        event_form(event, summary="Said on Wednesday.", change_reason="The statement was on Wednesday"),
    )
    html = client.get(event.get_absolute_url()).content.decode()
    assert "Last updated" in html
    assert "Corrections" in html
    assert "summary changed — The statement was on Wednesday." in html


def test_drafting_changes_before_publication_are_not_corrections(client, publisher):
    event = EventFactory(status=Status.DRAFT, title="Draft title")
    event.title = "Final title"
    event.save()
    workflow.publish(obj=event, user=publisher)
    assert "Corrections" not in client.get(event.get_absolute_url()).content.decode()
