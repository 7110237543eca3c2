"""The events admin: what an Editor may write through an event's change form, its inlines and the
bulk actions, and the form that would overwrite someone else's edit (its expected_version)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.publishing import Status
from events.models import Event, Quote
from tests.editorial import admin_client, event_form, member_of
from tests.factories import ActorFactory, EventFactory, QuoteFactory

pytestmark = pytest.mark.django_db


def test_editor_edits_drafts_but_not_published_entries_in_the_admin(group_editor):
    draft, live = EventFactory(status=Status.DRAFT, title="Draft"), EventFactory(title="Live")
    client = admin_client(group_editor)
    response = client.post(reverse("admin:events_event_change", args=[draft.pk]), event_form(draft, title="Draft 2"))
    assert response.status_code == 302
    assert Event.objects.get(pk=draft.pk).title == "Draft 2"
    # A published event opens read-only for an Editor, and a POST changes nothing.
    page = client.get(reverse("admin:events_event_change", args=[live.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    response = client.post(reverse("admin:events_event_change", args=[live.pk]), event_form(live, title="Hacked"))
    assert response.status_code == 403
    assert Event.objects.get(pk=live.pk).title == "Live"


def test_editor_bulk_publish_is_refused_with_the_reason(group_editor):
    event = EventFactory(status=Status.REVIEW, title="Ready")
    response = admin_client(group_editor).post(
        reverse("admin:events_event_changelist"), {"action": "publish", "_selected_action": [event.pk]}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == ["Only a Publisher may publish “Ready”."]
    assert Event.objects.get(pk=event.pk).status == Status.REVIEW


def test_editor_cannot_add_a_participant_to_a_published_event_directly(group_editor):
    event = EventFactory(title="Live")
    response = admin_client(group_editor).post(
        reverse("admin:events_participation_add"),
        {"event": event.pk, "actor": ActorFactory().pk, "role": "participant"},
    )
    assert response.status_code == 403
    assert event.participations.count() == 0


# No lost updates ------------------------------------------------------------------------------


def test_two_editors_save_the_same_entry_and_the_second_is_refused(publisher):
    other = member_of("Publisher", "paula")
    event = EventFactory(status=Status.DRAFT, title="Start")
    url = reverse("admin:events_event_change", args=[event.pk])
    first, second = admin_client(publisher), admin_client(other)
    form_first = event_form(event, title="First title")
    form_second = event_form(event, summary="Second summary")  # opened at the same version
    assert first.post(url, form_first).status_code == 302
    response = second.post(url, form_second)
    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert errors[0].startswith("“First title” was changed by someone else since you opened it")
    assert "See the history" in errors[0]
    event.refresh_from_db()
    assert (event.title, event.summary, event.version) == ("First title", "", 2)


def test_bulk_action_makes_an_open_form_stale(publisher):
    event = EventFactory(status=Status.REVIEW, title="Ready")
    client = admin_client(publisher)
    stale_form = event_form(event, title="Edited")
    client.post(reverse("admin:events_event_changelist"), {"action": "publish", "_selected_action": [event.pk]})
    response = client.post(reverse("admin:events_event_change", args=[event.pk]), stale_form)
    assert response.status_code == 200
    assert Event.objects.get(pk=event.pk).title == "Ready"


# The quote inline: each quote keeps its own rights and version --------------------------------


def test_inline_quote_follows_its_own_rights_and_version(group_editor):
    draft_event = EventFactory(status=Status.DRAFT)
    quote = QuoteFactory(event=draft_event, text="Published words")
    client = admin_client(group_editor)
    data = event_form(draft_event)
    data["quotes-0-text"] = "Changed words"
    data["quotes-0-expected_version"] = quote.version
    assert client.post(reverse("admin:events_event_change", args=[draft_event.pk]), data).status_code == 403
    assert Quote.objects.get(pk=quote.pk).text == "Published words"


def test_inline_quote_change_bumps_its_version(publisher):
    event = EventFactory(status=Status.DRAFT)
    quote = QuoteFactory(event=event, text="Before", status=Status.DRAFT)
    data = event_form(event)
    data["quotes-0-text"] = "After"
    data["quotes-0-expected_version"] = quote.version
    assert admin_client(publisher).post(reverse("admin:events_event_change", args=[event.pk]), data).status_code == 302
    quote.refresh_from_db()
    assert (quote.text, quote.version) == ("After", 2)


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


def test_inline_delete_of_a_quote_in_review_is_refused_for_an_editor(group_editor):
    event = EventFactory(status=Status.DRAFT)
    quote = QuoteFactory(event=event, status=Status.REVIEW)
    response = delete_inline_quote(group_editor, event, quote)
    assert response.status_code == 200
    assert "Only drafts can be deleted; this entry is review. Withdraw it instead." in response.content.decode()
    assert Quote.objects.filter(pk=quote.pk).exists()


def test_inline_delete_of_a_draft_quote_is_recorded_with_the_editor(group_editor):
    event = EventFactory(status=Status.DRAFT)
    quote = QuoteFactory(event=event, status=Status.DRAFT)
    response = delete_inline_quote(group_editor, event, quote)
    assert response.status_code == 302
    assert not Quote.objects.filter(pk=quote.pk).exists()
    record = Quote.history.filter(id=quote.pk).latest("history_id")
    assert (record.history_type, record.history_user) == ("-", group_editor)
