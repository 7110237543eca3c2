"""Every API write route refuses what the services refuse (issue 12): an Editor's tool creates
only drafts and writes no published entry.

The routes are enumerated from the URL resolver, so a new one that these tests do not know makes
them fail: decide what it may do, then add it here.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from actors.models import Actor
from core.publishing import Status
from events.models import Event, Quote, Source
from tests.editorial import EDITED, api_client, api_url, history, if_match, make_entry, make_user, row_values
from tests.factories import ActorFactory, SourceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.generated]


WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
RESOURCES = {"event": Event, "actor": Actor, "quote": Quote, "source": Source}
ENTRY_WRITES = [
    ("list", "POST", "create"),
    ("detail", "PUT", "update"),
    ("detail", "PATCH", "partial_update"),
    ("detail", "DELETE", "destroy"),
    ("send-to-review", "POST", "send_to_review"),
    ("publish", "POST", "publish"),
    ("withdraw", "POST", "withdraw"),
]
COVERED = {(f"{name}-{route}", method, action) for name in RESOURCES for route, method, action in ENTRY_WRITES}
# Routes that write no entry: an editor's own API token.
EXEMPT = {("token", "POST", "post"), ("token", "DELETE", "delete"), ("token-rotate", "POST", "post")}


def api_write_routes():
    """(URL name, method, view action) of every write under /api/, from the URL resolver."""
    routes = set()

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
                continue
            assert isinstance(pattern, URLPattern)
            view = getattr(pattern.callback, "cls", None)
            if view is None or not prefix.startswith("api/"):
                continue
            actions = getattr(pattern.callback, "actions", None) or {
                method: method for method in view.http_method_names if hasattr(view, method)
            }
            for method, action in actions.items():
                if method.upper() in WRITE_METHODS:
                    routes.add((pattern.name, method.upper(), action))

    walk(get_resolver().url_patterns, "")
    return routes


def test_every_api_write_route_is_covered():
    assert api_write_routes() == COVERED | EXEMPT


def new_entry_payload(model):
    if model is Event:
        return {"title": "New event", "slug": "new-event", "type": "04", "start_date": "2022-01-27"}
    if model is Actor:
        return {"name": "Zed Newcomer", "slug": "zed-newcomer", "kind": "person"}
    if model is Quote:
        return {"text": "New words", "speaker": ActorFactory().slug, "source": SourceFactory().pk}
    return {"title": "New source", "url": "https://news.example/new"}


def test_editor_api_create_makes_a_draft_whatever_status_is_sent():
    client = api_client(make_user("editor"))
    statuses = {}
    for name, model in RESOURCES.items():
        response = client.post(f"/api/{name}s/", {**new_entry_payload(model), "status": "published"}, format="json")
        assert response.status_code == 201, response.json()
        statuses[name] = model.objects.order_by("-pk").values_list("status", flat=True).first()
    assert statuses == dict.fromkeys(RESOURCES, Status.DRAFT)


def request_for(client, obj, route, method):
    url = api_url(obj)
    if route == "detail" and method == "PUT":
        body = client.get(url).json()
        body[EDITED[type(obj)]] = "Changed through PUT"
        return [client.put(url, body, format="json", HTTP_IF_MATCH=if_match(obj))]
    if route == "detail" and method == "PATCH":
        return [client.patch(url, {EDITED[type(obj)]: "Changed"}, format="json", HTTP_IF_MATCH=if_match(obj))]
    if route == "detail" and method == "DELETE":
        return [client.delete(url, HTTP_IF_MATCH=if_match(obj))]
    if route == "publish":
        return [client.post(f"{url}publish/"), client.post(f"{url}publish/?with_related=1")]
    return [client.post(f"{url}{route}/")]


def api_refusal(obj, route, method):
    """(status, body) of each request ``request_for`` sends, as an Editor, for a published entry."""
    if method in ("PUT", "PATCH"):
        # Named as stored, not with the value the Editor was refused.
        return [(403, {"detail": f"Only a Publisher may change “{obj}”, which is published."})]
    if method == "DELETE":
        return [(400, {"status": ["Only drafts can be deleted; this entry is published. Withdraw it instead."]})]
    if route == "send-to-review":
        return [(400, {"status": [f"“{obj}” is published; it cannot be sent to review."]})]
    verb = "publish" if route == "publish" else "withdraw"
    return [(403, {"detail": f"Only a Publisher may {verb} “{obj}”."})] * (2 if route == "publish" else 1)


@pytest.mark.parametrize(
    ("name", "route", "method"),
    [(name, route, method) for name in RESOURCES for route, method, _ in ENTRY_WRITES if route != "list"],
)
def test_editor_api_write_of_a_published_entry_is_refused(name, route, method):
    obj = make_entry(RESOURCES[name], Status.PUBLISHED)
    client = api_client(make_user("editor"))
    before, history_before = row_values(obj), history(obj)

    responses = request_for(client, obj, route, method)

    observed = [(response.status_code, response.json()) for response in responses]
    assert (observed, row_values(obj), history(obj)) == (api_refusal(obj, route, method), before, history_before)
