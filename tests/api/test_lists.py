import datetime

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


def test_the_public_quote_list_says_what_the_serializer_says_of_each_quote(api):
    # The public's list builds each quote's JSON itself (api.serializers.events.
    # public_quote_representation); a quote's own address serializes it with QuoteSerializer.
    # They must agree on every field of every public quote, whatever it leaves out.
    QuoteFactory(text="a draft", status=Status.DRAFT)
    QuoteFactory(text="by a draft speaker", speaker=ActorFactory(status=Status.DRAFT))
    QuoteFactory(text="about a draft event", event=EventFactory(status=Status.DRAFT))
    QuoteFactory(text="about an unsourced event", event=EventFactory(slug="unsourced", cited=False))
    QuoteFactory(
        text="Our relations are not directed against anyone.",
        speaker=StateFactory(slug="russia", name="Russia"),
        speaker_title="President",
        said_on=None,
        is_paraphrase=True,
        language="ru",
        original_text="Наши отношения не направлены против кого-либо.",
        source=SourceFactory(url="https://example.org/a", publisher="Example"),
        event=EventFactory(slug="visit"),
    )
    QuoteFactory(text="month only", said_on=datetime.date(2024, 5, 1), said_on_precision="month")
    results = api.get("/api/quotes/").json()["results"]
    assert sorted(q["text"] for q in results) == [
        "Our relations are not directed against anyone.",
        "about a draft event",
        "about an unsourced event",
        "month only",
    ]
    assert [api.get(q["api_url"]).json() for q in results] == results
    by_text = {q["text"]: q for q in results}
    # Published, but citing no published source: not public, so not named.
    assert by_text["about an unsourced event"]["event"] is None
    assert (
        by_text["about a draft event"]["event"] is None
        and by_text["Our relations are not directed against anyone."]["event"] == "visit"
    )
    sparse = api.get("/api/quotes/?fields=id,event,html_url").json()["results"]
    assert sparse == [{name: q[name] for name in ("id", "event", "html_url")} for q in results]
    assert api.get("/api/quotes/?fields=id,price").status_code == 400


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
