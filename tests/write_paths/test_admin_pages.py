"""Every editorial model's own admin pages (change, add, delete) refuse what the services refuse
(issue 12): an Editor writes no published entry, nor a row of one, through them.

The pages are enumerated from the admin site, so a model registered that these tests do not know
makes them fail: decide what it may do, then add it here.
"""

import pytest
from django.contrib import admin
from django.urls import reverse

from actors.models import Actor, ActorAlias, Affiliation
from core.publishing import Publishable, Status
from events.models import Citation, Event, Participation, Quote, Source
from tests.editorial import (
    EDITED,
    admin_client,
    admin_form_data,
    admin_url,
    affiliation_row,
    alias_row,
    citation_row,
    make_entry,
    make_user,
    participation_row,
    row_values,
)
from tests.factories import SourceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.generated]


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
