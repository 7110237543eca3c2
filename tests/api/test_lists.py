import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from relations_site.publishing import Status
from tests.factories import (
    ActorAliasFactory,
    ActorFactory,
    AffiliationFactory,
    EventFactory,
    QuoteFactory,
    SourceFactory,
    StateFactory,
)

pytestmark = pytest.mark.django_db


def make_actor():
    actor = ActorFactory()
    ActorAliasFactory(actor=actor)
    AffiliationFactory(person=actor)


BUILDERS = {
    "/api/actors/?kind=person": (make_actor, 3),
    "/api/quotes/": (lambda: QuoteFactory(event=EventFactory()), 1),
    "/api/sources/": (SourceFactory, 1),
    "/api/events/?q=event": (EventFactory, 3),
}


@pytest.mark.parametrize("url", list(BUILDERS))
def test_list_query_count_is_the_same_for_1_and_30_items(api, url):
    build, expected = BUILDERS[url]
    build()
    with CaptureQueriesContext(connection) as one:
        assert len(api.get(url + ("&" if "?" in url else "?") + "page_size=100").json()["results"]) == 1
    for _ in range(29):
        build()
    with CaptureQueriesContext(connection) as thirty:
        assert len(api.get(url + ("&" if "?" in url else "?") + "page_size=100").json()["results"]) == 30
    assert (len(one), len(thirty)) == (expected, expected)


def test_event_types_list_is_one_query(api):
    with CaptureQueriesContext(connection) as queries:
        data = api.get("/api/event-types/").json()
    assert len(queries) == 1
    assert [t["code"] for t in data][:3] == ["01", "02", "03"]
    assert api.get("/api/event-types/042/").json() == {
        "code": "042",
        "slug": "make-a-visit",
        "name": "Make a visit",
        "quad_class": "verbal_cooperation",
        "score": "1.9",
        "parent": "04",
        "description": "",
    }


def test_quote_reference_to_a_draft_event_is_null_and_drafts_stay_out(api):
    QuoteFactory(text="about a draft", event=EventFactory(slug="hidden-event", status=Status.DRAFT))
    QuoteFactory(text="hidden speaker", speaker=ActorFactory(status=Status.DRAFT))
    results = api.get("/api/quotes/").json()["results"]
    assert [(q["text"], q["event"]) for q in results] == [("about a draft", None)]
    assert api.get("/api/quotes/?event=hidden-event").json() == {"event": ["Unknown event: “hidden-event”."]}


def test_actor_affiliations_with_draft_organizations_are_hidden(api):
    person = ActorFactory(slug="wang-yi")
    AffiliationFactory(person=person, organization=StateFactory(slug="china", name="China"), title="Foreign Minister")
    AffiliationFactory(person=person, organization=StateFactory(status=Status.DRAFT), title="Secret role")
    data = api.get("/api/actors/wang-yi/").json()
    assert data["affiliations"] == [
        {
            "organization": "china",
            "organization_name": "China",
            "title": "Foreign Minister",
            "start_date": None,
            "end_date": None,
        }
    ]
