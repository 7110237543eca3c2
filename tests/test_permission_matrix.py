"""Who may write what, in which status, by every way in (issue 12, editorial integrity).

One table says what each role gets from each operation on an entry in each status; each
operation is then tried through every channel that performs it (admin change form, admin
inline, history revert, admin bulk action, API write, API workflow action), on events, quotes,
actors and sources. Each case asserts the response, what the editor is told, the stored row
and its history, exactly.
"""

import pytest
from rest_framework.test import APIClient

from actors.models import Actor
from core.publishing import Status
from events.models import Event, Quote, Source
from tests.editorial import (
    EDITED,
    ROLES,
    admin_client,
    admin_form_data,
    admin_url,
    api_client,
    api_url,
    changelist_url,
    history,
    if_match,
    inline_errors,
    inline_index,
    login_url,
    make_entry,
    make_user,
    messages_shown,
    stored,
)

pytestmark = [pytest.mark.django_db, pytest.mark.generated]

STATUSES = [Status.DRAFT, Status.REVIEW, Status.PUBLISHED, Status.WITHDRAWN]
OPERATIONS = ["edit", "delete", "send_to_review", "publish", "withdraw"]

# Outcomes.
OK = "ok"
LOGIN = "login"  # not signed in as staff: the admin's login page, the API's 401
FORBIDDEN = "forbidden"  # 403 before any rule is looked at
PUBLISHER_ONLY = "publisher only"  # the service's PermissionDenied, with its message
WRONG_STATUS = "wrong status"  # the service's TransitionError: not from this status
DRAFTS_ONLY = "drafts only"  # deleting what is not a draft


def every(outcome):
    return (outcome,) * len(STATUSES)


# fmt: off
TABLE = {
    # role               operation           draft  review        published     withdrawn
    ("anonymous",       "edit"):            every(LOGIN),
    ("anonymous",       "delete"):          every(LOGIN),
    ("anonymous",       "send_to_review"):  every(LOGIN),
    ("anonymous",       "publish"):         every(LOGIN),
    ("anonymous",       "withdraw"):        every(LOGIN),
    ("nonstaff_editor", "edit"):            every(LOGIN),
    ("nonstaff_editor", "delete"):          every(LOGIN),
    ("nonstaff_editor", "send_to_review"):  every(LOGIN),
    ("nonstaff_editor", "publish"):         every(LOGIN),
    ("nonstaff_editor", "withdraw"):        every(LOGIN),
    ("staff_no_group",  "edit"):            every(FORBIDDEN),
    ("staff_no_group",  "delete"):          every(FORBIDDEN),
    ("staff_no_group",  "send_to_review"):  every(FORBIDDEN),
    ("staff_no_group",  "publish"):         every(FORBIDDEN),
    ("staff_no_group",  "withdraw"):        every(FORBIDDEN),
    ("editor",          "edit"):            (OK,    OK,           FORBIDDEN,    FORBIDDEN),
    ("editor",          "delete"):          (OK,    DRAFTS_ONLY,  DRAFTS_ONLY,  DRAFTS_ONLY),
    ("editor",          "send_to_review"):  (OK,    WRONG_STATUS, WRONG_STATUS, PUBLISHER_ONLY),
    ("editor",          "publish"):         every(PUBLISHER_ONLY),
    ("editor",          "withdraw"):        every(PUBLISHER_ONLY),
    ("publisher",       "edit"):            every(OK),
    ("publisher",       "delete"):          (OK,    DRAFTS_ONLY,  DRAFTS_ONLY,  DRAFTS_ONLY),
    ("publisher",       "send_to_review"):  (OK,    WRONG_STATUS, WRONG_STATUS, OK),
    ("publisher",       "publish"):         (OK,    OK,           WRONG_STATUS, OK),
    ("publisher",       "withdraw"):        (WRONG_STATUS, WRONG_STATUS, OK,    WRONG_STATUS),
    ("superuser",       "edit"):            every(OK),
    ("superuser",       "delete"):          (OK,    DRAFTS_ONLY,  DRAFTS_ONLY,  DRAFTS_ONLY),
    ("superuser",       "send_to_review"):  (OK,    WRONG_STATUS, WRONG_STATUS, OK),
    ("superuser",       "publish"):         (OK,    OK,           WRONG_STATUS, OK),
    ("superuser",       "withdraw"):        (WRONG_STATUS, WRONG_STATUS, OK,    WRONG_STATUS),
}
# fmt: on

# The ways in to each operation. The admin inline is the quote inline of an event's page (the
# only inline whose rows have a status of their own).
CHANNELS = {
    "edit": ["admin_form", "admin_inline", "admin_revert", "api_patch"],
    "delete": ["admin_action", "admin_inline", "api_delete"],
    "send_to_review": ["admin_action", "api_action"],
    "publish": ["admin_action", "api_action"],
    "withdraw": ["admin_action", "api_action"],
}
MODELS = [Event, Quote, Actor, Source]
INLINE_MODELS = [Quote]

ACTION_NAMES = {
    "delete": "delete_drafts",
    "send_to_review": "send_to_review",
    "publish": "publish",
    "withdraw": "withdraw",
}
API_ACTIONS = {"send_to_review": "send-to-review", "publish": "publish", "withdraw": "withdraw"}
NEXT_STATUS = {"send_to_review": Status.REVIEW, "publish": Status.PUBLISHED, "withdraw": Status.WITHDRAWN}
DONE = {"delete": "Deleted", "send_to_review": "Sent to review", "publish": "Published", "withdraw": "Withdrew"}
VERBS = {"send_to_review": "sent to review", "publish": "published", "withdraw": "withdrawn"}
EDITED_VALUE, OLDER_VALUE, CURRENT_VALUE = "Edited value", "Older value", "Current value"


def cases():
    for (role, operation), outcomes in TABLE.items():
        for status, outcome in zip(STATUSES, outcomes, strict=True):
            for channel in CHANNELS[operation]:
                for model in INLINE_MODELS if channel == "admin_inline" else MODELS:
                    yield pytest.param(
                        role, operation, channel, model, status, outcome,
                        id=f"{role}-{operation}-{channel}-{model.__name__.lower()}-{status}",
                    )  # fmt: skip


def test_table_covers_every_role_and_operation():
    assert sorted(TABLE) == sorted((role, operation) for role in ROLES for operation in OPERATIONS)


def arrange(model, status, channel):
    """The entry acted on; for a revert, with an older version holding OLDER_VALUE."""
    obj = make_entry(model, status, OLDER_VALUE if channel == "admin_revert" else CURRENT_VALUE)
    if channel == "admin_revert":
        setattr(obj, EDITED[model], CURRENT_VALUE)
        obj.version += 1
        obj.save()
    return obj


def request_for(channel, operation, obj):
    """(method, URL, keyword arguments) of the request that performs ``operation`` on ``obj``."""
    field = EDITED[type(obj)]
    if channel == "admin_form":
        return "post", admin_url(obj, "change"), {"data": admin_form_data(obj, **{field: EDITED_VALUE})}
    if channel == "admin_inline":
        prefix = inline_index(obj.event, obj)
        change = {f"{prefix}-{field}": EDITED_VALUE} if operation == "edit" else {f"{prefix}-DELETE": "on"}
        return "post", admin_url(obj.event, "change"), {"data": admin_form_data(obj.event, **change)}
    if channel == "admin_revert":
        older = obj.history.order_by("history_id").first()
        url = admin_url(obj, "simple_history", obj.pk, older.history_id)
        return "post", url, {"data": admin_form_data(obj, **{field: OLDER_VALUE})}
    if channel == "admin_action":
        data = {"action": ACTION_NAMES[operation], "_selected_action": [obj.pk]}
        return "post", changelist_url(type(obj)), {"data": data}
    if channel == "api_patch":
        return "patch", api_url(obj), {"data": {field: EDITED_VALUE}, "format": "json", "HTTP_IF_MATCH": if_match(obj)}
    if channel == "api_delete":
        return "delete", api_url(obj), {"HTTP_IF_MATCH": if_match(obj)}
    if channel == "api_action":
        return "post", f"{api_url(obj)}{API_ACTIONS[operation]}/", {}
    raise ValueError(channel)


def refusal(operation, outcome, obj, status):
    """The service's message for a refused operation."""
    if outcome == DRAFTS_ONLY:
        return f"Only drafts can be deleted; this entry is {status}. Withdraw it instead."
    if outcome == PUBLISHER_ONLY:
        if operation == "send_to_review":
            return f"Only a Publisher may bring back the withdrawn “{obj}”."
        return f"Only a Publisher may {operation} “{obj}”."
    if operation == "publish" and status == Status.PUBLISHED:
        return f"“{obj}” is already published."
    return f"“{obj}” is {Status(status).label.lower()}; it cannot be {VERBS[operation]}."


def expected_outcome(channel, operation, outcome, obj, status, url, user, before, history_before):
    unchanged = {"row": before, "history": history_before}
    api = channel.startswith("api")
    if outcome == LOGIN:
        return {"status": 401, **unchanged} if api else {"status": 302, "location": login_url(url), **unchanged}
    if outcome == FORBIDDEN:
        return {"status": 403, **unchanged}
    if outcome == OK:
        count = history_before[0]
        if operation == "delete":
            done = {"row": None, "history": (count + 1, "-", user.pk)}
        elif operation == "edit":
            value = OLDER_VALUE if channel == "admin_revert" else EDITED_VALUE
            row = {**before, "version": before["version"] + 1, EDITED[type(obj)]: value}
            done = {"row": row, "history": (count + 1, "~", user.pk)}
        else:
            row = {**before, "version": before["version"] + 1, "status": NEXT_STATUS[operation]}
            done = {"row": row, "history": (count + 1, "~", user.pk)}
        if channel == "admin_action":
            return {"status": 302, "messages": [("success", f"{DONE[operation]} 1 {obj._meta.verbose_name}.")], **done}
        if channel == "api_action":
            return {"status": 200, "json": {"status": done["row"]["status"], "version": done["row"]["version"]}, **done}
        return {"status": {"api_patch": 200, "api_delete": 204}.get(channel, 302), **done}
    message = refusal(operation, outcome, obj, status)
    if channel == "admin_action":
        return {"status": 302, "messages": [("error", message)], **unchanged}
    if channel == "admin_inline":
        return {"status": 200, "inline_errors": [message], **unchanged}
    if outcome == PUBLISHER_ONLY:
        return {"status": 403, "json": {"detail": message}, **unchanged}
    return {"status": 400, "json": {"status": [message]}, **unchanged}


def observed_outcome(expected, response, obj):
    observe = {
        "status": lambda: response.status_code,
        "location": lambda: response.get("Location"),
        "messages": lambda: messages_shown(response),
        "json": lambda: response.json() if response.content else None,
        "inline_errors": lambda: inline_errors(response, "quotes"),
        "row": lambda: stored(obj),
        "history": lambda: history(obj),
    }
    return {key: observe[key]() for key in expected}


@pytest.mark.parametrize(("role", "operation", "channel", "model", "status", "outcome"), list(cases()))
def test_write_follows_the_table(role, operation, channel, model, status, outcome):
    user = make_user(role)
    obj = arrange(model, status, channel)
    method, url, kwargs = request_for(channel, operation, obj)
    client = api_client(user) if channel.startswith("api") else admin_client(user)
    before, history_before = stored(obj), history(obj)

    response = getattr(client, method)(url, **kwargs)

    expected = expected_outcome(channel, operation, outcome, obj, status, url, user, before, history_before)
    assert observed_outcome(expected, response, obj) == expected


# What the table does not hold: reads, and the API by session. ----------------------------

MARKER = "Marker-7d1f-not-for-staff-without-a-role"


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__.lower())
def test_staff_without_a_group_sees_no_draft_anywhere(model, status):
    obj = make_entry(model, status, MARKER)
    user = make_user("staff_no_group")
    admin_, api = admin_client(user), api_client(user)

    page = admin_.get(obj.get_absolute_url())
    api_detail = api.get(api_url(obj))
    admin_page = admin_.get(admin_url(obj, "change"))
    changelist = admin_.get(changelist_url(model))

    public = status == Status.PUBLISHED
    assert (page.status_code, api_detail.status_code, MARKER in page.content.decode()) == (
        (200, 200, True) if public else (404, 404, False)
    )
    assert (admin_page.status_code, changelist.status_code) == (403, 403)


@pytest.mark.parametrize("model", [Event, Quote], ids=lambda m: m.__name__.lower())
def test_nonstaff_editor_signed_in_by_session_is_not_authenticated_by_the_api(model):
    user = make_user("nonstaff_editor")
    obj = make_entry(model, Status.DRAFT)
    client = APIClient()
    client.force_login(user)
    before = stored(obj)

    patch = client.patch(api_url(obj), {EDITED[model]: EDITED_VALUE}, format="json", HTTP_IF_MATCH=if_match(obj))
    review = client.post(f"{api_url(obj)}send-to-review/")
    delete = client.delete(api_url(obj), HTTP_IF_MATCH=if_match(obj))

    assert (patch.status_code, review.status_code, delete.status_code, stored(obj)) == (401, 401, 401, before)


def test_inline_delete_of_a_draft_quote_is_in_its_history_with_the_user():
    publisher = make_user("publisher")
    quote = make_entry(Quote, Status.DRAFT)
    prefix = inline_index(quote.event, quote)

    response = admin_client(publisher).post(
        admin_url(quote.event, "change"), admin_form_data(quote.event, **{f"{prefix}-DELETE": "on"})
    )

    assert response.status_code == 302
    record = Quote.history.filter(id=quote.pk).latest("history_id")
    assert (Quote.objects.filter(pk=quote.pk).exists(), record.history_type, record.history_user) == (
        False,
        "-",
        publisher,
    )
