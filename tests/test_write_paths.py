"""Every write path the admin and the API offer refuses what the services refuse (issue 12).

The inlines, the admin actions and the API write routes are enumerated from the admin site and
the URL resolver, so a new one that these tests do not know makes them fail: decide what it
may do, then add it here.
"""

import pytest
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from actors.admin import ActorAliasInline, AffiliationInline
from actors.models import Actor, ActorAlias, Affiliation
from core.publishing import Publishable, Status
from events.admin import CitationInline, ParticipationInline, QuoteInline
from events.models import Citation, Event, Participation, Quote, Source
from tests.editorial import (
    EDITED,
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
    make_entry,
    make_user,
    messages_shown,
)
from tests.factories import (
    ActorAliasFactory,
    ActorFactory,
    AffiliationFactory,
    CitationFactory,
    EventFactory,
    ParticipationFactory,
    QuoteFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


def row_values(obj):
    """Every stored column of the row (None once deleted)."""
    return type(obj).objects.filter(pk=obj.pk).values().first()


# Admin inlines -------------------------------------------------------------------------


# For each inline: the parent entry, the row and a change to one of the row's fields. A row with a
# status of its own is published on a draft parent (whose page an Editor may open and save); a
# row without one follows its parent, which is published.
def quote_row():
    quote = QuoteFactory(event=EventFactory(status=Status.DRAFT))
    return quote.event, quote, "text", "Changed words"


def participation_row():
    participation = ParticipationFactory(event=EventFactory())
    return participation.event, participation, "role", "host"


def citation_row():
    citation = CitationFactory(event=EventFactory(cited=False))
    return citation.event, citation, "locator", "p. 99"


def alias_row():
    alias = ActorAliasFactory(actor=ActorFactory())
    return alias.actor, alias, "name", "Changed alias"


def affiliation_row():
    affiliation = AffiliationFactory(person=ActorFactory())
    return affiliation.person, affiliation, "title", "Changed title"


INLINES = {
    QuoteInline: quote_row,
    ParticipationInline: participation_row,
    CitationInline: citation_row,
    ActorAliasInline: alias_row,
    AffiliationInline: affiliation_row,
}


def registered_inlines():
    """Each inline of the admin site, with the model of the page it is on."""
    return {inline: model for model, model_admin in admin.site._registry.items() for inline in model_admin.inlines}


def test_every_admin_inline_is_covered():
    assert {i.__name__ for i in registered_inlines()} == {i.__name__ for i in INLINES}


@pytest.mark.parametrize("change", ["change", "delete"])
@pytest.mark.parametrize("inline", list(INLINES), ids=lambda i: i.__name__)
def test_editor_cannot_change_or_delete_a_published_row_through_an_inline(inline, change):
    parent, row, field, value = INLINES[inline]()
    assert (type(parent), type(row)) == (registered_inlines()[inline], inline.model)
    editor = make_user("editor")
    prefix = inline_index(parent, row)
    edit = {f"{prefix}-{field}": value} if change == "change" else {f"{prefix}-DELETE": "on"}
    before = row_values(row)
    published = row if issubclass(inline.model, Publishable) else parent
    assert published.status == Status.PUBLISHED

    response = admin_client(editor).post(admin_url(parent, "change"), admin_form_data(parent, **edit))

    if issubclass(inline.model, Publishable) and change == "delete":
        # The page is the Editor's to save; the row is not a draft: a form error, as for any delete.
        message = "Only drafts can be deleted; this entry is published. Withdraw it instead."
        expected = (200, [message], before)
    else:
        expected = (403, None, before)
    assert (response.status_code, inline_errors(response, prefix.rsplit("-", 1)[0]), row_values(row)) == expected


# Admin change, add and delete pages ----------------------------------------------------


# Each editorial model's own admin pages, on a published entry or a row of one. The other
# registered models are not editorial content (accounts, tokens, login attempts, the CAMEO
# taxonomy, which Editors may only view).
def published_entry(model):
    return lambda: (make_entry(model, Status.PUBLISHED), EDITED[model], "Changed")


def row_of_a_published_entry(build):
    return lambda: build()[1:]


PAGES = {
    Event: published_entry(Event),
    Quote: published_entry(Quote),
    Source: published_entry(Source),
    Actor: published_entry(Actor),
    Participation: row_of_a_published_entry(participation_row),
    Citation: row_of_a_published_entry(citation_row),
    ActorAlias: row_of_a_published_entry(alias_row),
    Affiliation: row_of_a_published_entry(affiliation_row),
}
NOT_EDITORIAL = {"auth.Group", "auth.User", "authtoken.TokenProxy", "axes.AccessAttempt", "axes.AccessLog",
                 "axes.AccessFailureLog", "events.EventType"}  # fmt: skip


def test_every_admin_page_is_covered():
    registered = {model._meta.label for model in admin.site._registry}
    assert registered == {model._meta.label for model in PAGES} | NOT_EDITORIAL


def page_cases():
    for model in PAGES:
        # Adding an entry makes a draft; adding a row changes the published entry it belongs to.
        pages = ["change", "delete"] if issubclass(model, Publishable) else ["change", "add", "delete"]
        for page in pages:
            yield pytest.param(model, page, id=f"{model.__name__}-{page}")


@pytest.mark.parametrize(("model", "page"), list(page_cases()))
def test_editor_cannot_write_a_published_entry_through_its_admin_pages(model, page):
    obj, field, value = PAGES[model]()
    editor = make_user("editor")
    before, count = row_values(obj), model.objects.count()
    if page == "delete":
        url, data = admin_url(obj, "delete"), {"post": "yes"}
    elif page == "change":
        url, data = admin_url(obj, "change"), admin_form_data(obj, **{field: value})
    else:
        # The row posted again, changed (a citation of another source): a new row on the same entry.
        url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_add")
        data = admin_form_data(obj, **{field: value}, **({"source": SourceFactory().pk} if model is Citation else {}))

    response = admin_client(editor).post(url, data)

    assert (response.status_code, row_values(obj), model.objects.count()) == (403, before, count)


# Admin actions -------------------------------------------------------------------------

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


# API write routes ----------------------------------------------------------------------

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
