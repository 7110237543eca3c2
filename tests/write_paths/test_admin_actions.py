"""Every admin action refuses what the services refuse (issue 12): an Editor's bulk action on a
published entry changes nothing and says why.

The actions are enumerated from the admin site, so a new one that these tests do not know makes
them fail: decide what it may do, then add it here.
"""

import pytest
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from actors.models import Actor
from core.publishing import Status
from events.models import Event, Quote, Source
from tests.editorial import admin_client, changelist_url, make_entry, make_user, messages_shown, row_values

pytestmark = [pytest.mark.django_db, pytest.mark.generated]


PUBLISHABLE_ACTIONS = {"send_to_review", "publish", "publish_with_related", "withdraw", "delete_drafts"}
ACTIONS = {
    Event: PUBLISHABLE_ACTIONS,
    Quote: PUBLISHABLE_ACTIONS,
    Source: PUBLISHABLE_ACTIONS,
    Actor: PUBLISHABLE_ACTIONS | {"merge_actors"},
    AccessAttempt: {"cleanup_expired_attempts"},  # django-axes' login attempts: no entry
}
# What the Editor is told when acting on a published entry.
ACTION_REFUSALS = {
    "send_to_review": "“{obj}” is published; it cannot be sent to review.",
    "publish": "Only a Publisher may publish “{obj}”.",
    "publish_with_related": "Only a Publisher may publish “{obj}”.",
    "withdraw": "Only a Publisher may withdraw “{obj}”.",
    "delete_drafts": "Only drafts can be deleted; this entry is published. Withdraw it instead.",
    "merge_actors": "Only a Publisher may merge actors.",
}


def registered_actions():
    request = RequestFactory().get("/")
    request.user = get_user_model()(is_active=True, is_staff=True, is_superuser=True)
    return {
        model: set(model_admin.get_actions(request))
        for model, model_admin in admin.site._registry.items()
        if model_admin.get_actions(request)
    }


def test_every_admin_action_is_covered():
    assert registered_actions() == ACTIONS


@pytest.mark.parametrize(
    ("model", "action"),
    [(model, action) for model, actions in ACTIONS.items() if model is not AccessAttempt for action in sorted(actions)],
    ids=lambda v: v if isinstance(v, str) else v.__name__.lower(),
)
def test_editor_action_on_a_published_entry_is_refused(model, action):
    editor = make_user("editor")
    obj = make_entry(model, Status.PUBLISHED)
    selected = [obj.pk]
    extra = {}
    if action == "merge_actors":
        other = make_entry(Actor, Status.PUBLISHED)
        selected.append(other.pk)
        extra = {"survivor": other.pk}
    before = row_values(obj)

    response = admin_client(editor).post(
        changelist_url(model), {"action": action, "_selected_action": selected, **extra}
    )

    expected = [("error", ACTION_REFUSALS[action].format(obj=obj))]
    assert (response.status_code, messages_shown(response), row_values(obj)) == (302, expected, before)
