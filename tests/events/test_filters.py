"""The FilterSets, tested directly and through the pages, on exact results."""

import datetime

import pytest
from django.http import QueryDict

from core.publishing import Status
from events.filters import EventFilter, PublicEventFilter, QuoteFilter, SourceFilter
from events.models import Event, Quote, Source
from tests.factories import (
    ActorFactory,
    EventFactory,
    ParticipationFactory,
    QuoteFactory,
    SourceFactory,
    event_type,
)

pytestmark = pytest.mark.django_db
D = datetime.date


def slugs(filterset_class, query, queryset):
    filterset = filterset_class(QueryDict(query), queryset=queryset)
    assert filterset.is_valid(), filterset.errors
    return [obj.slug for obj in filterset.qs]


def events(query):
    return slugs(EventFilter, query, Event.objects.published())


@pytest.fixture
def dated_events():
    EventFactory(slug="day", start_date=D(2022, 2, 4), date_precision="day")
    EventFactory(slug="month", start_date=D(2022, 1, 1), date_precision="month")
    EventFactory(slug="year", start_date=D(2001, 1, 1), date_precision="year")
    EventFactory(slug="months", start_date=D(2021, 12, 1), end_date=D(2022, 1, 1), date_precision="month")
    EventFactory(slug="week", start_date=D(2022, 1, 24), end_date=D(2022, 1, 30), date_precision="day")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("date_from=2022-02", ["day"]),
        ("date_to=2021-12", ["months", "year"]),
        ("date_from=2022-01-31&date_to=2022-01-31", ["month", "months"]),
        ("date_from=2022-01-30&date_to=2022-01-30", ["week", "month", "months"]),
        ("date_from=2001-06&date_to=2001-06", ["year"]),
        ("date_from=2001-12-31&date_to=2001-12-31", ["year"]),
        ("date_from=2002&date_to=2021-11", []),
        ("date_from=2022", ["day", "week", "month", "months"]),
        ("date_to=2022-01-23", ["month", "months", "year"]),
    ],
)
def test_event_date_filters_match_by_overlap_at_each_precision(dated_events, query, expected):
    assert events(query) == expected


def test_event_actor_filter_is_or_across_repeated_values():
    xi, putin, biden = ActorFactory(slug="xi"), ActorFactory(slug="putin"), ActorFactory(slug="biden")
    both = EventFactory(slug="both", start_date=D(2022, 2, 4))
    ParticipationFactory(event=both, actor=xi)
    ParticipationFactory(event=both, actor=putin, role="initiator")
    only_xi = EventFactory(slug="only-xi", start_date=D(2022, 1, 4))
    ParticipationFactory(event=only_xi, actor=xi)
    ParticipationFactory(event=EventFactory(slug="only-biden", start_date=D(2021, 1, 4)), actor=biden)
    assert events("actor=putin") == ["both"]
    assert events("actor=xi") == ["both", "only-xi"]
    assert events("actor=putin&actor=biden") == ["both", "only-biden"]


def test_event_actor_filter_rejects_unknown_and_draft_actors():
    ActorFactory(slug="secret", status=Status.DRAFT)
    for query, message in [
        ("actor=nobody", "Unknown actor: “nobody”."),
        ("actor=secret", "Unknown actor: “secret”."),
        ("actor=not a slug", "“not a slug” is not a valid actor: use the slug from its address."),
    ]:
        filterset = EventFilter(QueryDict(query), queryset=Event.objects.published())
        assert not filterset.is_valid()
        assert filterset.errors["actor"] == [message]


def test_event_type_filter_root_code_includes_finer_codes():
    EventFactory(slug="consult", event_type=event_type("04"), start_date=D(2022, 1, 3))
    EventFactory(slug="visit", event_type=event_type("042"), start_date=D(2022, 1, 2))
    EventFactory(slug="statement", event_type=event_type("01"), start_date=D(2022, 1, 1))
    assert events("type=04") == ["consult", "visit"]
    assert events("type=042") == ["visit"]
    assert events("type=make-a-visit") == ["visit"]
    assert events("type=consult") == ["consult", "visit"]


def test_event_country_filter_ignores_case():
    EventFactory(slug="kz", country="KZ")
    EventFactory(slug="ru", country="RU")
    assert events("country=kz") == ["kz"]
    assert events("country=KZ") == ["kz"]


def test_event_search_matches_title_and_summary_words():
    EventFactory(
        slug="exercises", title="Joint naval exercises", summary="In the Gulf of Oman.", start_date=D(2022, 1, 2)
    )
    EventFactory(
        slug="treaty", title="Treaty signed", summary="Territorial disputes resolved.", start_date=D(2001, 1, 1)
    )
    assert events("q=naval") == ["exercises"]
    assert events("q=oman") == ["exercises"]
    assert events("q=territorial disputes") == ["treaty"]
    assert events("q=naval treaty") == []


def test_event_ordering_is_stable_with_ties_broken_by_id():
    first = EventFactory(slug="b", title="Beta", start_date=D(2022, 1, 1))
    second = EventFactory(slug="a", title="Alpha", start_date=D(2022, 1, 1))
    third = EventFactory(slug="c", title="Gamma", start_date=D(2020, 1, 1))
    assert first.pk < second.pk
    assert events("") == ["a", "b", "c"]
    assert events("ordering=-date") == ["a", "b", "c"]
    assert events("ordering=date") == ["c", "b", "a"]
    assert events("ordering=title") == ["a", "b", "c"]
    assert third.slug == "c"


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("date_from=2022-13", "date_from", "“2022-13” is not a real date."),
        ("date_from=2022-02-30", "date_from", "“2022-02-30” is not a real date."),
        ("date_to=22-01", "date_to", "“22-01” is not a date: use YYYY, YYYY-MM or YYYY-MM-DD."),
        ("type=99", "type", "Unknown event type: “99”."),
        ("country=RUS", "country", "Ensure this value has at most 2 characters (it has 3)."),
        ("country=R1", "country", "Country is a two-letter ISO code, such as RU."),
        ("ordering=price", "ordering", "Select a valid choice. price is not one of the available choices."),
        ("date_from=2023&date_to=2022", "__all__", "date_from is after date_to."),
    ],
)
def test_event_filter_bad_input_is_a_form_error(query, field, message):
    filterset = EventFilter(QueryDict(query), queryset=Event.objects.published())
    assert not filterset.is_valid()
    assert filterset.errors[field] == [message]


def quotes(query):
    filterset = QuoteFilter(QueryDict(query), queryset=Quote.objects.published())
    assert filterset.is_valid(), filterset.errors
    return [q.text for q in filterset.qs]


def test_quote_filters_by_speaker_source_event_language_and_date():
    wang, lukin = ActorFactory(slug="wang-yi"), ActorFactory(slug="lukin")
    article, wire = SourceFactory(), SourceFactory()
    call = EventFactory(slug="call")
    QuoteFactory(text="respected", speaker=wang, source=article, event=call, said_on=D(2022, 1, 27))
    QuoteFactory(text="blocs", speaker=wang, source=wire, said_on=D(2022, 1, 1), said_on_precision="month")
    QuoteFactory(text="no limits", speaker=lukin, source=article, said_on=None, language="ru")
    assert quotes("speaker=wang-yi") == ["respected", "blocs"]
    assert quotes("speaker=wang-yi&speaker=lukin") == ["respected", "blocs", "no limits"]
    assert quotes(f"source={article.pk}") == ["respected", "no limits"]
    assert quotes("event=call") == ["respected"]
    assert quotes("language=ru") == ["no limits"]
    assert quotes("date_from=2022-01-31&date_to=2022-01-31") == ["blocs"]
    assert quotes("ordering=date") == ["blocs", "respected", "no limits"]


def test_quote_filter_unknown_source_id_is_an_error():
    filterset = QuoteFilter(QueryDict("source=99999999999999999999"), queryset=Quote.objects.published())
    assert not filterset.is_valid()
    assert filterset.errors["source"] == ["“99999999999999999999” is not a valid source id."]


def test_source_filters_by_kind_language_and_date():
    SourceFactory(title="Wire", kind="news", language="en", published_on=D(2022, 2, 2))
    SourceFactory(title="Statement", kind="statement", language="zh", published_on=D(2021, 5, 1))
    queryset = Source.objects.published()

    def titles(query):
        filterset = SourceFilter(QueryDict(query), queryset=queryset)
        assert filterset.is_valid(), filterset.errors
        return [s.title for s in filterset.qs]

    assert titles("kind=statement") == ["Statement"]
    assert titles("language=zh") == ["Statement"]
    assert titles("date_from=2022") == ["Wire"]
    assert titles("ordering=title") == ["Statement", "Wire"]


def test_event_page_and_filterset_give_the_same_slugs_in_the_same_order(client, dated_events):
    query = "date_from=2022&ordering=date"
    response = client.get(f"/events/?{query}")
    assert [e.slug for e in response.context["object_list"]] == events(query) == ["months", "month", "week", "day"]


def test_filtersets_share_their_form_class_but_no_request_state():
    """core.filters.BaseFilterSet copies its filters shallowly and builds its form class once
    per class: one request's values must not reach the next, nor a subclass's form its parent's."""
    russia, china = ActorFactory(slug="russia"), ActorFactory(slug="china")
    ParticipationFactory(event=EventFactory(slug="with-russia"), actor=russia)
    ParticipationFactory(event=EventFactory(slug="with-china"), actor=china)
    first = EventFilter(QueryDict("actor=russia"), queryset=Event.objects.published())
    assert [e.slug for e in first.qs] == ["with-russia"]
    second = EventFilter(QueryDict("actor=china"), queryset=Event.objects.published())
    third = EventFilter(QueryDict(""), queryset=Event.objects.published())
    assert [e.slug for e in second.qs] == ["with-china"]
    assert sorted(e.slug for e in third.qs) == ["with-china", "with-russia"]
    assert [e.slug for e in first.qs] == ["with-russia"]
    assert type(first.form) is type(second.form)
    assert first.form is not second.form and first.form.fields["actor"] is not second.form.fields["actor"]
    assert first.filters["actor"] is not second.filters["actor"]
    assert first.filters["actor"].parent is first and second.filters["actor"].parent is second
    assert EventFilter.base_filters["actor"] not in (first.filters["actor"], second.filters["actor"])
    public = PublicEventFilter(QueryDict(""))
    assert type(public.form) is not type(first.form)
    assert public.filters["actor"].model.__name__ == "PublicEvent"
    assert first.filters["actor"].model is Event
