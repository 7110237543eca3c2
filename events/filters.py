"""The FilterSets of events, quotes and sources: one per resource, used by pages and API."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from actors import selectors as actor_selectors
from core.filters import (
    BaseFilterSet,
    CountryFilter,
    EntriesFilter,
    EntryFilter,
    LanguageFilter,
    PartialDateFilter,
    SearchFilter,
    StableOrderingFilter,
    lookup_entries,
)
from events import selectors
from events.models import Event, EventType, Participation, PublicEvent, Quote, Source, SourceKind

PUBLISHED_ACTORS = actor_selectors.public_actors().only("id", "slug", "name")


class ParticipantsFilter(EntriesFilter):
    """``actor``: published actor slugs, repeatable; an event matches if any of them took part."""

    def filter(self, qs, value):
        if not value:
            return qs
        if qs.model is PublicEvent:
            # The read model's array of published participants, GIN-indexed on PostgreSQL.
            return qs.filter(actor_ids__overlap=[actor.pk for actor in value])
        # An editor's list (?status=): EXISTS rather than a join, no duplicate rows.
        return qs.filter(Exists(Participation.objects.filter(event=OuterRef("pk"), actor__in=value)))


class EventTypeField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 100)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        lookup = "code" if value.isdigit() else "slug"
        return lookup_entries(EventType.objects.all(), [value], "event type", lookup)[0]


@extend_schema_field(OpenApiTypes.STR)
class EventTypeFilter(django_filters.Filter):
    """``type``: a CAMEO code or slug; a root code includes its finer codes ("04" → "042")."""

    field_class = EventTypeField

    def filter(self, qs, value):
        if not value:
            return qs
        if qs.model is PublicEvent and len(value.code) == 2:
            # A root code: the read model's (type_root, start_date) index.
            return qs.filter(type_root=value.code)
        # CAMEO codes are hierarchical by prefix; the type table is tiny, so resolve ids here
        # and let the events query use the (event_type, start_date) index.
        ids = list(EventType.objects.filter(code__startswith=value.code).values_list("id", flat=True))
        return qs.filter(event_type_id__in=ids)


class EventFilter(BaseFilterSet):
    """Filters events (editors' lists) and the public read model (``PublicEvent``, every public
    list): the read model keeps the event's field names, and the two filters that differ say how."""

    q = SearchFilter(help_text="Words in the title or summary.")
    actor = ParticipantsFilter(
        queryset=PUBLISHED_ACTORS, noun="actor", label="Actor", help_text="Events any of these actors took part in."
    )
    type = EventTypeFilter(label="Type", help_text="CAMEO code or slug; a root code includes finer ones.")
    country = CountryFilter(label="Country", help_text="ISO 3166-1 alpha-2 code of where it happened.")
    date_from = PartialDateFilter(bound="from", start_field="start_date", end_field="period_end", label="From")
    date_to = PartialDateFilter(bound="to", start_field="start_date", end_field="period_end", label="To")
    ordering = StableOrderingFilter(fields={"start_date": "date", "title": "title"}, label="Order")

    class Meta(BaseFilterSet.Meta):
        model = Event
        fields = []


class PublicEventFilter(EventFilter):
    """The same filters over the public read model: every public list, page or API."""

    class Meta(EventFilter.Meta):
        model = PublicEvent


class QuoteFilter(BaseFilterSet):
    q = SearchFilter(help_text="Words in the quote.")
    speaker = EntriesFilter(
        queryset=PUBLISHED_ACTORS, noun="speaker", label="Speaker", help_text="Quotes by any of these actors."
    )
    source = EntryFilter(
        queryset=selectors.public_sources().only("id"), noun="source", lookup="pk", label="Source (id)"
    )
    event = EntryFilter(queryset=selectors.public_events().only("id", "slug"), noun="event", label="Event")
    language = LanguageFilter()
    date_from = PartialDateFilter(bound="from", start_field="said_on", end_field="said_until", label="From")
    date_to = PartialDateFilter(bound="to", start_field="said_on", end_field="said_until", label="To")
    ordering = StableOrderingFilter(fields={"said_on": "date"}, label="Order")

    class Meta(BaseFilterSet.Meta):
        model = Quote
        fields = []


class SourceFilter(BaseFilterSet):
    q = SearchFilter(help_text="Words in the title, publisher or author.")
    kind = django_filters.ChoiceFilter(choices=SourceKind.choices)
    language = LanguageFilter()
    date_from = PartialDateFilter(bound="from", start_field="published_on", end_field="published_on", label="From")
    date_to = PartialDateFilter(bound="to", start_field="published_on", end_field="published_on", label="To")
    ordering = StableOrderingFilter(fields={"published_on": "date", "title": "title"}, label="Order")

    class Meta(BaseFilterSet.Meta):
        model = Source
        fields = []
