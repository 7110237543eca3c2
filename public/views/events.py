from django.db.models.functions import ExtractYear
from django.utils.functional import cached_property
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from events import selectors
from events.filters import PublicEventFilter, QuoteFilter, SourceFilter
from events.models import Event, EventType, Quote, Source, SourceKind
from public import jsonld
from public.facets import Facet, FacetItem, url_with, value_facet, year_facet
from public.views.base import FilteredListView, PublishedDetailView

NEWEST, OLDEST = ("-date", "Newest first"), ("date", "Oldest first")


class EventListView(FilteredListView):
    filterset_class = PublicEventFilter
    template_name = "events/event_list.html"
    search_snippet_field = "summary"
    extra_context = {"ordering_options": [NEWEST, OLDEST, ("title", "Title A–Z")]}

    def get_queryset(self):
        return selectors.public_event_page_rows()

    def prepare_page(self, items):
        return selectors.with_participants(items)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["type_options"] = self.type_options()
        context["actor_values"] = self.request.GET.getlist("actor") or [""]
        return context

    @cached_property
    def event_types(self):
        """(code, slug, name, parent id) of every type, for the menu and the type facet (tuples:
        300 model instances a request were a tenth of the page's Python)."""
        return list(EventType.objects.order_by("code").values_list("code", "slug", "name", "parent_id"))

    def type_options(self):
        """The type menu's 300 options, built here: through the template language they were a
        third of the page's rendering time (bench/README.md)."""
        current = self.request.GET.get("type", "")
        return format_html_join(
            "",
            '<option value="{}"{}>{}{} {}</option>',
            (
                (
                    code,
                    mark_safe(" selected") if current in (code, slug) else "",
                    mark_safe("&nbsp;&nbsp;") if parent else "",
                    code,
                    name,
                )
                for code, slug, name, parent in self.event_types
            ),
        )

    facet_columns = {"type": "type_root", "country": "country", "year": "year"}

    def get_facets(self, counts):
        return [
            self.type_facet(counts["type"]),
            value_facet(self.request, counts["country"], "Country", "country"),
            year_facet(self.request, counts["year"]),
        ]

    def type_facet(self, counts):
        """Counts by CAMEO root type (the read model's ``type_root``: 042 counts as 04)."""
        roots = {code: (slug, name) for code, slug, name, parent in self.event_types if parent is None}
        current = self.request.GET.get("type", "")
        facet = Facet("Type")
        for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            slug, name = roots.get(code, (code, None))
            active = current in (code, slug)
            facet.items.append(
                FacetItem(
                    label=f"{code} {name}" if name else code,
                    count=count,
                    url=url_with(self.request, remove=["type"]) if active else url_with(self.request, type=code),
                    active=active,
                )
            )
        return facet


class QuoteListView(FilteredListView):
    filterset_class = QuoteFilter
    template_name = "events/quote_list.html"
    search_snippet_field = "text"
    extra_context = {"ordering_options": [NEWEST, OLDEST]}

    def get_queryset(self):
        return selectors.public_quotes().select_related("speaker", "source", "event")

    def prepare_page(self, items):
        return selectors.attach_event_visibility(items)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["speaker_values"] = self.request.GET.getlist("speaker") or [""]
        return context

    facet_columns = {
        "speaker": ("speaker__slug", "speaker__name"),
        "language": "language",
        "year": ExtractYear("said_on"),
    }

    def get_facets(self, counts):
        return [
            value_facet(self.request, counts["speaker"], "Speaker", "speaker"),
            value_facet(self.request, counts["language"], "Language", "language"),
            year_facet(self.request, counts["year"]),
        ]


class SourceListView(FilteredListView):
    filterset_class = SourceFilter
    template_name = "events/source_list.html"
    extra_context = {"source_kinds": SourceKind.choices, "ordering_options": [NEWEST, OLDEST, ("title", "Title A–Z")]}

    def get_queryset(self):
        return selectors.public_sources()

    facet_columns = {"kind": "kind", "language": "language", "year": ExtractYear("published_on")}

    def get_facets(self, counts):
        return [
            value_facet(self.request, counts["kind"], "Kind", "kind", labels=dict(SourceKind.choices)),
            value_facet(self.request, counts["language"], "Language", "language"),
            year_facet(self.request, counts["year"]),
        ]


class EventDetailView(PublishedDetailView):
    model = Event
    template_name = "events/event_detail.html"
    jsonld = staticmethod(jsonld.event)
    api_path = "/api/events/{obj.slug}/"

    def get_queryset(self):
        return (
            selectors.events_for(self.request.user)
            .select_related("event_type")
            .prefetch_related(
                selectors.participants(**self.links),
                selectors.citations(**self.links),
                selectors.event_quotes(**self.links),
            )
        )


class QuoteDetailView(PublishedDetailView):
    model = Quote
    template_name = "events/quote_detail.html"
    jsonld = staticmethod(jsonld.quote)
    api_path = "/api/quotes/{obj.pk}/"

    def get_queryset(self):
        quotes = selectors.quotes_for(self.request.user).select_related("speaker", "source", "event")
        return selectors.with_event_visibility(quotes, user=self.request.user, previewing=self.previewing)


class SourceDetailView(PublishedDetailView):
    model = Source
    template_name = "events/source_detail.html"
    jsonld = staticmethod(jsonld.source)
    api_path = "/api/sources/{obj.pk}/"
    related_limit = 100

    def get_queryset(self):
        return selectors.sources_for(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["events"] = selectors.events_citing(self.object, **self.links).select_related("event_type")[
            : self.related_limit
        ]
        context["quotes"] = selectors.quotes_from(self.object, **self.links).select_related("speaker")[
            : self.related_limit
        ]
        return context
