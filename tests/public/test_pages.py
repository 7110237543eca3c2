"""Public pages: pinned query counts (1 item vs 30), content, bad input → 400."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.publishing import Status
from tests.factories import (
    ActorAliasFactory,
    ActorFactory,
    AffiliationFactory,
    CitationFactory,
    EventFactory,
    ParticipationFactory,
    QuoteFactory,
    SourceFactory,
    StateFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date


def get(client, url, status=200):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == status, response.content[:2000]
    return response, len(queries)


def make_event(n, **kwargs):
    event = EventFactory(title=f"Summit number {n}", summary="leaders meet", country="RU", **kwargs)
    ParticipationFactory(event=event, actor=ActorFactory())
    ParticipationFactory(event=event, actor=StateFactory(country="CN"), role="host")
    return event


def make_quote(n):
    return QuoteFactory(text=f"Summit words {n}", event=EventFactory())


def make_actor(n):
    actor = ActorFactory(name=f"Summit actor {n}")
    ActorAliasFactory(actor=actor)
    return actor


def make_source(n):
    return SourceFactory(title=f"Summit report {n}")


# Queries per page on (SQLite, PostgreSQL): on PostgreSQL a search page also asks for the
# highlighted snippets of the shown page, in one query. A list's count and facets are one
# query (capped_grouped_counts), whatever their number. A page of events also reads the names
# of its published participants, in one query (events.selectors.with_participants).
LISTS = {
    "/events/": (make_event, (4, 4)),  # count and facets, page (read model), participants, the type menu
    "/events/?q=summit&country=RU&date_from=2022": (make_event, (4, 5)),
    "/quotes/": (make_quote, (3, 3)),  # + the shown quotes' events that are public, one query
    "/quotes/?q=summit": (make_quote, (3, 4)),
    "/actors/": (make_actor, (3, 3)),
    "/actors/?q=summit": (make_actor, (3, 3)),
    "/sources/": (make_source, (2, 2)),
    "/": (make_event, (6, 6)),
    "/search/?q=summit": (make_event, (8, 9)),
    "/feeds/events/": (make_event, (1, 1)),
    "/feeds/quotes/": (make_quote, (1, 1)),
    "/sitemap-events.xml": (make_event, (2, 2)),
}


@pytest.mark.parametrize("url", list(LISTS))
def test_list_page_query_count_is_the_same_for_1_and_30_items(client, url):
    build, (on_sqlite, on_postgresql) = LISTS[url]
    expected = on_postgresql if connection.vendor == "postgresql" else on_sqlite
    build(0)
    one_response, one = get(client, url)
    for n in range(1, 30):
        build(n)
    thirty_response, thirty = get(client, url)
    assert (one, thirty) == (expected, expected)
    if "object_list" in (thirty_response.context or {}):
        assert len(thirty_response.context["object_list"]) == 30


def test_event_detail_query_count_is_the_same_for_1_and_30_participants(client):
    event = EventFactory()
    QuoteFactory(event=event)
    ParticipationFactory(event=event)
    _, one = get(client, event.get_absolute_url())
    for _ in range(29):
        ParticipationFactory(event=event)
        CitationFactory(event=event)
        QuoteFactory(event=event)
    response, thirty = get(client, event.get_absolute_url())
    # + 1: the entry's history, for its corrections.
    assert (one, thirty) == (5, 5)
    assert len(response.context["event"].participations.all()) == 30


def test_actor_detail_query_count_is_the_same_for_1_and_30_events(client):
    actor = ActorFactory()
    AffiliationFactory(person=actor)

    def add(n):
        for _ in range(n):
            event = EventFactory()
            ParticipationFactory(event=event, actor=actor)
            ParticipationFactory(event=event)
            QuoteFactory(speaker=actor)

    add(1)
    _, one = get(client, actor.get_absolute_url())
    add(29)
    response, thirty = get(client, actor.get_absolute_url())
    # The timeline is one query of the read model (the actor's roles are in its rows), which
    # also gives the counterparts query its event ids.
    assert (one, thirty) == (8, 8)
    assert len(response.context["events"]) == 30
    assert {event.role_labels == ["participant"] for event in response.context["events"]} == {True}


def test_source_and_quote_detail_query_counts_are_pinned(client):
    source = SourceFactory()
    CitationFactory(source=source)
    quote = QuoteFactory(source=source, event=EventFactory())
    _, source_one = get(client, source.get_absolute_url())
    _, quote_queries = get(client, quote.get_absolute_url())
    for _ in range(29):
        CitationFactory(source=source)
        QuoteFactory(source=source)
    _, source_thirty = get(client, source.get_absolute_url())
    assert (source_one, source_thirty, quote_queries) == (4, 4, 2)


def test_event_page_shows_type_dates_location_participants_quotes_and_sources(client):
    event = EventFactory(
        title="Xi receives Putin",
        start_date=D(2022, 2, 2),
        end_date=D(2022, 2, 6),
        location="Beijing",
        country="CN",
        cited=False,
    )
    ParticipationFactory(event=event, actor=ActorFactory(name="Vladimir Putin"), role="initiator")
    ParticipationFactory(event=event, actor=ActorFactory(name="Xi Jinping"), role="host")
    CitationFactory(
        event=event,
        source=SourceFactory(
            title="The article", url="https://news.example/a", archive_url="https://archive.example/a"
        ),
    )
    QuoteFactory(event=event, text="great friends")
    html = client.get(event.get_absolute_url()).content.decode()
    for expected in [
        "2–6 February 2022",
        "04 Consult",
        "Beijing",
        "Vladimir Putin</a> — initiator",
        "Xi Jinping</a> — host",
        "“great friends”",
        'href="https://news.example/a"',
        'href="https://archive.example/a"',
        '<link rel="alternate" type="application/json" href="/api/events/',
        '"@type": "Event"',
        '"startDate": "2022-02-02"',
    ]:
        assert expected in html, expected


def test_actor_page_counts_counterparts_over_more_events_than_its_timeline_shows(client, monkeypatch):
    from public.views.actors import ActorDetailView

    monkeypatch.setattr(ActorDetailView, "timeline_limit", 2)
    monkeypatch.setattr(ActorDetailView, "counterparts_window", 3)
    wang, blinken, lavrov = ActorFactory(slug="wang-yi"), ActorFactory(name="Blinken"), ActorFactory(name="Lavrov")
    for n, other in enumerate([lavrov, lavrov, blinken, blinken, lavrov]):  # the last is the latest
        event = EventFactory(title=f"Talks {n}", start_date=D(2022, 1, 1 + n))
        ParticipationFactory(event=event, actor=wang)
        ParticipationFactory(event=event, actor=other)
    response = client.get(wang.get_absolute_url())
    assert [e.title for e in response.context["events"]] == ["Talks 4", "Talks 3"]
    assert [(c["actor__name"], c["shared"]) for c in response.context["counterparts"]] == [
        ("Blinken", 2),
        ("Lavrov", 1),
    ]


def test_actor_page_lines_escape_and_cut_what_they_show(editor_client):
    wang = ActorFactory(slug="wang-yi")
    draft = QuoteFactory(speaker=wang, text="Not yet", status=Status.DRAFT)  # the line that could leak
    event = EventFactory(title="Talks <b>now</b>", start_date=D(2022, 3, 1), date_precision="month")
    ParticipationFactory(event=event, actor=wang, role="host")
    long = " ".join(f"w{n}" for n in range(30))
    quote = QuoteFactory(speaker=wang, text=long, said_on=D(2022, 3, 4))
    QuoteFactory(speaker=wang, text="In other words <i>", is_paraphrase=True, said_on=None)
    html = Client().get(wang.get_absolute_url()).content.decode()  # the public's (editor_client is client)
    assert (
        f'<li><time>March 2022</time> <a href="/events/{event.slug}/">Talks &lt;b&gt;now&lt;/b&gt;</a> '
        '<span class="meta">host · ' in html
    )
    cut = " ".join(f"w{n}" for n in range(25))
    assert f'<li><a href="/quotes/{quote.pk}/">“{cut} …”</a> <span class="meta">4 March 2022</span></li>' in html
    assert ">In other words &lt;i&gt;</a></li>" in html
    assert "Not yet" not in html
    preview = editor_client.get(wang.get_absolute_url()).content.decode()
    assert f'<a href="/quotes/{draft.pk}/">“Not yet”</a> <span class="meta">(draft)</span>' in preview


def test_actor_page_shows_profile_timeline_quotes_and_counterparts(client):
    wang = ActorFactory(name="Wang Yi", slug="wang-yi", wikidata_id="Q123")
    ActorAliasFactory(actor=wang, name="王毅", language="zh")
    AffiliationFactory(person=wang, organization=StateFactory(name="China"), title="Foreign Minister")
    blinken, russia = ActorFactory(name="Antony Blinken"), StateFactory(name="Russia")
    for n, others in enumerate([[blinken], [blinken, russia], [russia], [blinken]]):
        event = EventFactory(title=f"Meeting {n}", start_date=D(2022, 1, 1 + n))
        ParticipationFactory(event=event, actor=wang, role="initiator")
        for other in others:
            ParticipationFactory(event=event, actor=other)
    QuoteFactory(speaker=wang, text="Concerns must be respected")
    response = client.get(wang.get_absolute_url())
    assert [e.title for e in response.context["events"]] == ["Meeting 3", "Meeting 2", "Meeting 1", "Meeting 0"]
    assert [(c["actor__name"], c["shared"]) for c in response.context["counterparts"]] == [
        ("Antony Blinken", 3),
        ("Russia", 2),
    ]
    html = response.content.decode()
    for expected in [
        "王毅",
        "Foreign Minister",
        "Concerns must be respected",
        "initiator",
        '"sameAs": "https://www.wikidata.org/wiki/Q123"',
        '"@type": "Person"',
    ]:
        assert expected in html, expected


def test_facets_count_the_filtered_result_and_link_to_add_the_filter(client):
    for n in range(3):
        EventFactory(country="RU", start_date=D(2022, 1, 1 + n))
    EventFactory(country="CN", start_date=D(2021, 5, 5))
    response = client.get("/events/?date_from=2022")
    facets = {f.title: [(i.label, i.count, i.url) for i in f.items] for f in response.context["facets"]}
    assert facets["Country"] == [("RU", 3, "?date_from=2022&country=RU")]
    assert facets["Year"] == [("2022", 3, "?date_from=2022&date_to=2022")]
    assert facets["Type"] == [("04 Consult", 3, "?date_from=2022&type=04")]


def test_counts_over_ten_thousand_are_not_counted_exactly(client, monkeypatch):
    from public.views import base as views

    monkeypatch.setattr(views, "COUNT_CAP", 3)
    for _ in range(5):
        EventFactory()
    response = client.get("/events/")
    assert "3+ results" in response.content.decode()
    assert response.context["page_obj"].paginator.count == 4


BAD_INPUT = [
    ("/events/?date_from=2022-13", "“2022-13” is not a real date."),
    ("/events/?actor=nobody", "Unknown actor: “nobody”."),
    ("/events/?type=abc", "Unknown event type: “abc”."),
    ("/events/?page=0", "is not a page number"),
    ("/events/?page=99999999999", "is not a page number"),
    ("/events/?page=7", "There is no page 7; the last is 1."),
    ("/events/?q=" + "x" * 10_000, "Ensure this value has at most 200 characters"),
    ("/events/?country=%00", "Query parameters cannot contain NUL bytes."),
    ("/events/?ordering=-price", "not one of the available choices"),
    ("/quotes/?speaker=bad%20slug", "is not a valid speaker"),
    ("/quotes/?source=-1", "is not a valid source id"),
    ("/quotes/?event=nothing-here", "Unknown event: “nothing-here”."),
    ("/quotes/?language=English", "Language is a BCP 47 tag"),
    ("/actors/?kind=planet", "Select a valid choice. planet is not one of the available choices."),
    ("/sources/?date_to=2022-02-31", "“2022-02-31” is not a real date."),
    ("/search/?q=" + "y" * 300, "Ensure this value has at most 200 characters"),
    ("/feeds/events/?actor=nobody", "Actor: Unknown actor: “nobody”."),
    ("/suggest/actors/?q=" + "z" * 101, "q must be at most 100 characters"),
]


@pytest.mark.parametrize(("url", "message"), BAD_INPUT, ids=[u[:40] for u, _ in BAD_INPUT])
def test_bad_input_is_a_400_with_a_message(client, url, message):
    EventFactory()
    response = client.get(url)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_too_many_parameters_are_a_400_with_a_message_on_pages_and_in_the_api(client):
    query = "&".join(f"a{n}=1" for n in range(1001))
    page = client.get(f"/events/?{query}")
    api = client.get(f"/api/events/?{query}")
    message = "Too many parameters: at most 1,000 in one request."
    assert (page.status_code, api.status_code) == (400, 400)
    assert message in page.content.decode()
    assert api.json() == {"detail": message}


def test_nul_bytes_in_headers_and_cookies_are_400_before_any_lookup(client):
    """A session key or an API token with NUL in it was a database error on PostgreSQL (a 500)."""
    EventFactory(slug="e")
    message = "Headers and cookies cannot contain NUL bytes."
    client.cookies["sessionid"] = "abcdefgh\x00"  # sent as "abcdefgh\000", decoded by Django
    page = client.get("/events/e/")
    api = Client().get("/api/events/", headers={"Authorization": "Token a\x00b"})
    assert (page.status_code, page.content.decode()) == (400, message)
    assert (api.status_code, api.json()) == (400, {"detail": message})


def test_unknown_addresses_are_404(client):
    for url in ["/events/no-such-event/", "/quotes/99999999999999999999/", "/sources/0/", "/actors/nobody/"]:
        assert client.get(url).status_code == 404, url


def test_actor_suggestions_match_name_or_alias(client):
    russia = StateFactory(name="Russia", slug="russia", country="RU")
    ActorAliasFactory(actor=russia, name="Moscow")
    StateFactory(name="China", slug="china")
    assert client.get("/suggest/actors/?q=mosc").json() == {
        "results": [{"slug": "russia", "name": "Russia", "kind": "state", "country": "RU"}]
    }


def test_facets_wait_until_the_filters_narrow_the_list(client, monkeypatch):
    from public.views import base as views

    monkeypatch.setattr(views, "COUNT_CAP", 3)
    for n in range(5):
        EventFactory(country="RU" if n < 2 else "CN")
    wide = client.get("/events/")
    assert wide.context["facets"] == []
    assert (
        "Counts by type, country and year appear once the filters narrow the list to 3 or fewer."
        in wide.content.decode()
    )
    narrow = client.get("/events/?country=RU")
    assert [f.title for f in narrow.context["facets"]] == ["Type", "Country", "Year"]


def test_count_and_facets_come_from_one_read_up_to_the_cap(client, monkeypatch):
    from public.views import base as views

    monkeypatch.setattr(views, "COUNT_CAP", 3)
    EventFactory(slug="draft-ru", country="RU", status=Status.DRAFT)  # the row that could be counted
    for n in range(3):
        EventFactory(country="RU", start_date=datetime.date(2020 + n, 1, 1))
    at_cap = client.get("/events/?country=RU")
    assert at_cap.context["page_obj"].paginator.count == 3
    facets = {f.title: [(item.label, item.count) for item in f.items] for f in at_cap.context["facets"]}
    assert facets["Country"] == [("RU", 3)]
    assert facets["Year"] == [("2022", 1), ("2021", 1), ("2020", 1)]
    EventFactory(country="RU")
    over = client.get("/events/?country=RU")
    assert over.context["page_obj"].paginator.count == 4 and over.context["facets"] == []
    assert over.context["page_obj"].paginator.count_display == "3+"


def test_an_actors_timeline_lists_public_events_from_the_read_model_and_an_editors_preview_adds_drafts(
    editor_client,
):
    client = Client()  # editor_client is the client fixture, logged in
    wang = ActorFactory(name="Wang Yi", slug="wang-yi")
    draft = EventFactory(title="Draft talks", slug="draft-talks", status=Status.DRAFT, start_date=D(2023, 1, 1))
    ParticipationFactory(event=draft, actor=wang, role="host")  # the event that could leak, first
    public = EventFactory(title="Public talks", start_date=D(2022, 1, 1), event_type=draft.event_type)
    ParticipationFactory(event=public, actor=wang, role="initiator")
    ParticipationFactory(event=public, actor=wang, role="target")
    seen = client.get(wang.get_absolute_url()).context["events"]
    assert [(e.title, e.role_labels, e.type_name) for e in seen] == [
        ("Public talks", ["initiator", "target"], public.event_type.name)
    ]
    assert type(seen[0]).__name__ == "PublicEvent"
    previewed = editor_client.get(wang.get_absolute_url())
    assert [(e.title, e.role_labels) for e in previewed.context["events"]] == [
        ("Draft talks", ["host"]),
        ("Public talks", ["initiator", "target"]),
    ]
    assert 'Draft talks</a> <span class="meta">(draft)</span>' in previewed.content.decode()


def test_the_events_lists_rows_escape_what_editors_wrote_and_keep_the_snippets_marks(client):
    # Rendered by Jinja2 (jinja2/includes/event_rows.html): escaped once, marks left as markup.
    actor = ActorFactory(name="A & <B>", slug="a-b")
    event = EventFactory(title="<script>alert(1)</script> summit", summary="The summit was held", location="Q&A")
    ParticipationFactory(event=event, actor=actor, role="target")
    html = client.get("/events/?q=summit").content.decode()
    assert '<a href="/events/' + event.slug + '/">&lt;script&gt;alert(1)&lt;/script&gt; summit</a>' in html
    assert "· Q&amp;A</p>" in html
    assert '<a href="/actors/a-b/">A &amp; &lt;B&gt;</a> <span class="role">target</span>' in html
    snippet = html.split('<p class="snippet">')[1].split("</p>")[0]
    assert "<mark>summit</mark>" in snippet and "&lt;mark" not in html
