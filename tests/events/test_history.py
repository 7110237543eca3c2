"""The history of an entry: recorded, with its user and reason, on every write path; shown as a
diff and reverted in the admin, by those who may edit, never changing the status."""

import re

import pytest
from django.urls import reverse

from core import workflow
from core.publishing import Status
from events.models import Event
from tests.editorial import admin_client, event_form, token_client
from tests.factories import ActorFactory, EventFactory

pytestmark = pytest.mark.django_db


def test_history_is_recorded_on_every_write_path(publisher):
    client = admin_client(publisher)
    event = EventFactory(status=Status.DRAFT, title="First")
    # Admin form, with a reason.
    client.post(
        reverse("admin:events_event_change", args=[event.pk]),
        event_form(event, title="Second", change_reason="Typo in the title"),
    )
    # Admin inline: a participant added on the event's page.
    event.refresh_from_db()
    actor = ActorFactory()
    data = event_form(event)
    data.update(
        {"participations-TOTAL_FORMS": "1", "participations-0-actor": actor.pk, "participations-0-role": "host"}
    )
    client.post(reverse("admin:events_event_change", args=[event.pk]), data)
    # Admin action.
    client.post(reverse("admin:events_event_changelist"), {"action": "publish", "_selected_action": [event.pk]})
    # API.
    event.refresh_from_db()
    api = token_client(publisher)
    response = api.patch(
        f"/api/events/{event.slug}/", {"summary": "From the API"}, format="json",
        HTTP_IF_MATCH=f'"{event.version}"', HTTP_X_CHANGE_REASON="Added a summary",
    )  # fmt: skip
    assert response.status_code == 200, response.json()

    records = list(event.history.order_by("history_date"))
    assert [(r.title, r.status, r.history_user, r.history_change_reason) for r in records][1:] == [
        ("Second", "draft", publisher, "Typo in the title"),
        ("Second", "draft", publisher, None),
        ("Second", "published", publisher, "Published."),
        ("Second", "published", publisher, "Added a summary"),
    ]
    participation = event.participations.get()
    assert participation.history.get().history_user == publisher


def test_admin_history_page_shows_the_diff_and_reverts_a_version(publisher):
    client = admin_client(publisher)
    event = EventFactory(status=Status.DRAFT, title="Original title")
    client.post(reverse("admin:events_event_change", args=[event.pk]), event_form(event, title="Wrong title"))
    history = client.get(reverse("admin:events_event_history", args=[event.pk])).content.decode()
    # The diff of the change, old → new, on the history page.
    assert re.search(r"<strong>Title:</strong>\s*Original title\s*&nbsp;&rarr;&nbsp;&nbsp;Wrong title", history)
    first = event.history.order_by("history_date").first()
    revert_url = reverse("admin:events_event_simple_history", args=[event.pk, first.history_id])
    form_page = client.get(revert_url)
    assert form_page.status_code == 200
    event.refresh_from_db()
    data = event_form(event, title="Original title")
    response = client.post(revert_url, data)
    assert response.status_code == 302
    assert Event.objects.get(pk=event.pk).title == "Original title"


def test_revert_needs_edit_rights_and_never_changes_the_status(group_editor, publisher):
    event = EventFactory(status=Status.DRAFT, title="Draft title")
    workflow.publish(obj=event, user=publisher)
    first = event.history.order_by("history_date").first()  # the draft version
    url = reverse("admin:events_event_simple_history", args=[event.pk, first.history_id])
    event.refresh_from_db()
    assert admin_client(group_editor).post(url, event_form(event, title="Reverted")).status_code == 403
    assert admin_client(publisher).post(url, event_form(event, title="Reverted")).status_code == 302
    event.refresh_from_db()
    assert (event.title, event.status) == ("Reverted", Status.PUBLISHED)


def test_revert_form_starts_from_the_current_version(publisher):
    event = EventFactory(status=Status.DRAFT, title="One")
    client = admin_client(publisher)
    client.post(reverse("admin:events_event_change", args=[event.pk]), event_form(event, title="Two"))
    first = event.history.order_by("history_date").first()
    page = client.get(reverse("admin:events_event_simple_history", args=[event.pk, first.history_id]))
    assert page.context["adminform"].form["expected_version"].value() == 2
