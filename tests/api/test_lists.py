import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.publishing import Status
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
    "/api/quotes/": (lambda: QuoteFactory(event=EventFactory()), 2),  # + which of their events are public
    "/api/sources/": (SourceFactory, 1),
    "/api/events/?q=event": (EventFactory, 1),  # the read model: one query
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


@pytest.mark.parametrize(
    ("page", "api_path", "query", "key"),
    [
        ("/quotes/", "/api/quotes/", "speaker=wang-yi&ordering=date", "id"),
        ("/quotes/", "/api/quotes/", "q=concerns", "id"),
        ("/actors/", "/api/actors/", "q=moscow", "slug"),
        ("/actors/", "/api/actors/", "kind=state&ordering=-name", "slug"),
        ("/sources/", "/api/sources/", "kind=news&date_from=2022", "id"),
    ],
)
def test_quote_actor_and_source_filters_match_the_pages(api, client, page, api_path, query, key):
    from django.core.management import call_command

    call_command("loaddata", "putin_xi_olympics", verbosity=0)
    on_page = [
        getattr(obj, "pk" if key == "id" else key) for obj in client.get(f"{page}?{query}").context["object_list"]
    ]
    in_api = [row[key] for row in api.get(f"{api_path}?{query}&page_size=100").json()["results"]]
    assert on_page and in_api == on_page
