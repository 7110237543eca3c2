import datetime
import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from api.events import EventViewSet
from api.serializers.events import EventSerializer
from core.publishing import Status
from events.selectors import events_for
from tests.factories import (
    ActorFactory,
    CitationFactory,
    EventFactory,
    ParticipationFactory,
    QuoteFactory,
    SourceFactory,
    StateFactory,
    event_type,
)

pytestmark = pytest.mark.django_db
D = datetime.date


def test_event_detail_carries_type_dates_participants_sources_and_counts(api):
    event = EventFactory(
        slug="xi-receives-putin",
        title="Xi receives Putin",
        summary="In Beijing.",
        event_type=event_type("042"),
        start_date=D(2022, 2, 2),
        end_date=D(2022, 2, 6),
        location="Beijing",
        country="CN",
        cited=False,
    )
    putin = ActorFactory(slug="vladimir-putin", name="Vladimir Putin")
    ParticipationFactory(event=event, actor=putin, role="initiator")
    ParticipationFactory(event=event, actor=StateFactory(slug="hidden", status=Status.DRAFT))
    source = SourceFactory(title="The article", url="https://news.example/a", publisher="Lusa")
    CitationFactory(event=event, source=source, locator="paragraph 1")
    CitationFactory(event=event, source=SourceFactory(status=Status.DRAFT))
    QuoteFactory(event=event)
    QuoteFactory(event=event, status=Status.DRAFT)

    data = api.get("/api/events/xi-receives-putin/").json()

    assert data == {
        "slug": "xi-receives-putin",
        "title": "Xi receives Putin",
        "summary": "In Beijing.",
        "type": "042",
        "type_name": "Make a visit",
        "quad_class": "verbal_cooperation",
        "start_date": "2022-02-02",
        "end_date": "2022-02-06",
        "date_precision": "day",
        "period_end": "2022-02-06",
        "date_display": "2–6 February 2022",
        "location": "Beijing",
        "country": "CN",
        "participants": [
            {
                "actor": "vladimir-putin",
                "name": "Vladimir Putin",
                "kind": "person",
                "role": "initiator",
                "api_url": "http://testserver/api/actors/vladimir-putin/",
            }
        ],
        "sources": [
            {
                "source": source.pk,
                "title": "The article",
                "url": "https://news.example/a",
                "publisher": "Lusa",
                "locator": "paragraph 1",
                "note": "",
                "api_url": f"http://testserver/api/sources/{source.pk}/",
            }
        ],
        "quote_count": 1,
        "status": "published",
        "created_at": data["created_at"],
        "updated_at": data["updated_at"],
        "api_url": "http://testserver/api/events/xi-receives-putin/",
        "html_url": "http://testserver/events/xi-receives-putin/",
    }


def test_event_fields_parameter_returns_only_those_fields(api):
    EventFactory(slug="a", title="A")
    assert api.get("/api/events/?fields=slug,title").json()["results"] == [{"slug": "a", "title": "A"}]
    response = api.get("/api/events/?fields=slug,price")
    assert response.status_code == 400
    assert response.json()["fields"][0].startswith("Unknown field(s): price. Available: slug, title,")


def test_event_list_query_count_is_the_same_for_1_and_30_events(api):
    def add(n):
        for _ in range(n):
            event = EventFactory()
            ParticipationFactory(event=event)
            QuoteFactory(event=event)

    add(1)
    with CaptureQueriesContext(connection) as one:
        assert len(api.get("/api/events/?page_size=100").json()["results"]) == 1
    add(29)
    with CaptureQueriesContext(connection) as thirty:
        assert len(api.get("/api/events/?page_size=100").json()["results"]) == 30
    # Two queries: the page of rows from the read model (sources in each row), then the names
    # of their published participants (events.selectors.with_participants).
    assert (len(one), len(thirty)) == (2, 2)


def test_event_address_reads_the_event_once_for_its_body_and_its_etag(api, editor_api):
    EventFactory(slug="secret", status=Status.DRAFT)  # what a lookup by slug alone could find
    event = EventFactory(slug="talks", version=3)
    ParticipationFactory(event=event)
    QuoteFactory(event=event)
    with CaptureQueriesContext(connection) as queries:
        response = api.get("/api/events/talks/")
    assert response.status_code == 200 and response["ETag"] == '"3"'
    assert response.json()["slug"] == "talks" and len(response.json()["participants"]) == 1
    # The public's: the read model's row with the event's version, then its participants' names.
    assert len(queries) == 2, [q["sql"][:80] for q in queries]
    with CaptureQueriesContext(connection) as queries:
        response = editor_api.get("/api/events/talks/")
    assert response.status_code == 200 and response["ETag"] == '"3"'
    # An editor's preview: the event with its quote count, its participants, its citations,
    # once (it was read twice, the second time for the ETag alone); the rest is the token's.
    event_queries = [q for q in queries if "events_" in q["sql"]]
    assert len(event_queries) == 3, [q["sql"][:80] for q in event_queries]
    assert api.get("/api/events/secret/").json() == {"detail": "No Event matches the given query."}
    assert api.get("/api/events/secret/?status=published").status_code == 404
    assert editor_api.get("/api/events/secret/")["ETag"] == '"1"'


@pytest.mark.parametrize(
    "query",
    [
        "actor=wang-yi",
        "actor=wang-yi&actor=russia",
        "type=04",
        "country=ru",
        "date_from=2022-02&date_to=2022-06",
        "q=summit",
        "ordering=title",
        "ordering=date&date_from=2021",
    ],
)
def test_event_filters_give_the_same_slugs_in_the_same_order_as_the_page(api, client, query):
    wang, russia = ActorFactory(slug="wang-yi"), StateFactory(slug="russia")
    for n in range(12):
        event = EventFactory(
            slug=f"e{n}",
            title=f"{'Summit' if n % 3 == 0 else 'Call'} {n}",
            start_date=D(2021 + n % 2, 1 + n % 12, 1 + n),
            event_type=event_type(["04", "042", "11"][n % 3]),
            country=["RU", "CN"][n % 2],
        )
        ParticipationFactory(event=event, actor=[wang, russia][n % 2])
    page = [e.slug for e in client.get(f"/events/?{query}").context["object_list"]]
    api_slugs = [e["slug"] for e in api.get(f"/api/events/?{query}&page_size=100").json()["results"]]
    assert page and api_slugs == page


def test_event_filter_errors_are_400_with_messages(api):
    EventFactory()
    assert api.get("/api/events/?date_from=2022-13").json() == {"date_from": ["“2022-13” is not a real date."]}
    assert api.get("/api/events/?actor=nobody").json() == {"actor": ["Unknown actor: “nobody”."]}
    assert api.get("/api/events/?country=%00").status_code == 400


def test_draft_event_is_404_to_anonymous_clients(api):
    EventFactory(slug="secret", status=Status.DRAFT)
    assert api.get("/api/events/secret/").status_code == 404
    assert api.get("/api/events/").json()["results"] == []


def serialized(slug):
    """What EventSerializer says of a public event to the public (its links the published ones)."""
    request = Request(APIRequestFactory().get("/api/events/"))
    request.user = AnonymousUser()
    links = {"user": request.user, "previewing": False}
    event = EventViewSet(request=request, action="retrieve").with_links(events_for(request.user)).get(slug=slug)
    data = EventSerializer(event, context={"request": request, "previewing": False, **links}).data
    return json.loads(JSONRenderer().render(data))  # as sent: dates as text


def test_the_public_list_read_from_the_read_model_says_what_the_serializer_says_of_each_event(api):
    # The public's list and addresses render rows of the read model
    # (api.serializers.events.public_event_representation); an editor's reads serialize the
    # event with EventSerializer. They must agree on every field of every public event, links
    # filtered to the published ones alike.
    draft_actor, withdrawn_source = ActorFactory(status=Status.DRAFT), SourceFactory(status=Status.WITHDRAWN)
    EventFactory(status=Status.DRAFT, slug="draft")
    summit = EventFactory(
        slug="summit",
        start_date=datetime.date(2024, 5, 1),
        end_date=datetime.date(2024, 6, 1),
        date_precision="month",
        country="CN",
        location="Beijing",
        summary="Two days of talks.",
    )
    ParticipationFactory(event=summit, role="initiator")
    ParticipationFactory(event=summit, actor=draft_actor)
    ParticipationFactory(event=summit, role="host")
    CitationFactory(event=summit, source=withdrawn_source)
    CitationFactory(event=summit, locator="p. 3", note="Says “two days”.")
    QuoteFactory(event=summit)
    QuoteFactory(event=summit, status=Status.DRAFT)
    EventFactory(slug="plain")
    results = api.get("/api/events/").json()["results"]
    assert sorted(row["slug"] for row in results) == ["plain", "summit"]
    assert [serialized(event) for event in ("summit", "plain")] == results
    assert [api.get(row["api_url"]).json() for row in results] == results
    summit_row = next(row for row in results if row["slug"] == "summit")
    assert ([p["role"] for p in summit_row["participants"]], summit_row["quote_count"]) == (["initiator", "host"], 1)
    sparse = api.get("/api/events/?fields=slug,participants,html_url").json()["results"]
    assert sparse == [{name: row[name] for name in ("slug", "participants", "html_url")} for row in results]
    lines = b"".join(api.get("/api/events/?format=ndjson").streaming_content).decode().splitlines()
    assert sorted(map(json.loads, lines[1:]), key=lambda row: row["slug"]) == sorted(results, key=lambda r: r["slug"])
