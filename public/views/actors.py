from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.views import View

from actors import selectors as actor_selectors
from actors.filters import ActorFilter
from actors.models import Actor, ActorKind
from events import selectors as event_selectors
from public import jsonld
from public.facets import value_facet
from public.views.base import FilteredListView, PublishedDetailView

SUGGEST_LIMIT = 10
# What a quote's line shows (jinja2/includes/quote_items.html).
QUOTE_ITEM_FIELDS = ("text", "is_paraphrase", "said_on", "said_on_precision", "status")


class ActorListView(FilteredListView):
    filterset_class = ActorFilter
    template_name = "actors/actor_list.html"
    extra_context = {
        "actor_kinds": ActorKind.choices,
        "ordering_options": [("name", "Name A–Z"), ("-name", "Name Z–A")],
    }

    def get_queryset(self):
        return actor_selectors.public_actors().prefetch_related("aliases")

    facet_columns = {"kind": "kind", "country": "country"}

    def get_facets(self, counts):
        return [
            value_facet(self.request, counts["kind"], "Kind", "kind", labels=dict(ActorKind.choices)),
            value_facet(self.request, counts["country"], "Country", "country"),
        ]


class ActorDetailView(PublishedDetailView):
    model = Actor
    template_name = "actors/actor_detail.html"
    jsonld = staticmethod(jsonld.actor)
    api_path = "/api/actors/{obj.slug}/"
    timeline_limit = 50
    quotes_limit = 20
    counterparts_limit = 10
    counterparts_window = 100  # "In its latest 100 events", the page says

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            # A merged actor's address leads to the actor it was merged into.
            survivor = actor_selectors.merged_into_public(slug=kwargs["slug"])
            if survivor is None:
                raise
            return redirect(survivor, permanent=True)

    def get_queryset(self):
        return actor_selectors.actors_for(self.request.user).prefetch_related(
            "aliases", actor_selectors.organizations(**self.links), actor_selectors.members(**self.links)
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        actor = self.object
        # The latest events once, for the timeline and, over more of them, the counterparts.
        latest = event_selectors.timeline(actor, limit=max(self.timeline_limit, self.counterparts_window), **self.links)
        context["events"] = latest[: self.timeline_limit]
        context["counterparts"] = event_selectors.counterparts(
            [event.pk for event in latest[: self.counterparts_window]],
            exclude=actor,
            limit=self.counterparts_limit,
            **self.links,
        )
        context["quotes"] = event_selectors.quotes_by(actor, **self.links).only(*QUOTE_ITEM_FIELDS)[: self.quotes_limit]
        return context


class ActorSuggestView(View):
    """Search-as-you-type for the actor filter: published actors by name or alias, as JSON."""

    def get(self, request):
        text = request.GET.get("q", "").strip()
        if "\x00" in text or len(text) > 100:
            return JsonResponse({"error": "q must be at most 100 characters, without NUL bytes."}, status=400)
        if len(text) < 1:
            return JsonResponse({"results": []})
        return JsonResponse({"results": list(actor_selectors.suggestions(text, limit=SUGGEST_LIMIT))})
