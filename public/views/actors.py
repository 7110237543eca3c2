from django.db.models import Count, Prefetch, Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.views import View

from actors.filters import ActorFilter
from actors.models import Actor, ActorAlias, ActorKind, Affiliation
from core.publishing import Status
from events.models import Event, Participation, Quote
from public import jsonld
from public.facets import grouped_counts, value_facet
from public.views.base import FilteredListView, PublishedDetailView

SUGGEST_LIMIT = 10


class ActorListView(FilteredListView):
    filterset_class = ActorFilter
    template_name = "actors/actor_list.html"
    extra_context = {
        "actor_kinds": ActorKind.choices,
        "ordering_options": [("name", "Name A–Z"), ("-name", "Name Z–A")],
    }

    def get_queryset(self):
        return Actor.objects.published().prefetch_related("aliases")

    def get_facets(self, queryset):
        counts = grouped_counts(queryset, kind="kind", country="country")
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

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            # A merged actor's address leads to the actor it was merged into.
            merged = Actor.objects.filter(slug=kwargs["slug"], merged_into__status=Status.PUBLISHED).first()
            if merged is None:
                raise
            return redirect(merged.merged_into, permanent=True)

    def get_base_queryset(self):
        return Actor.objects.prefetch_related(
            "aliases",
            Prefetch(
                "affiliations",
                queryset=Affiliation.objects.filter(organization__status=Status.PUBLISHED).select_related(
                    "organization"
                ),
            ),
            Prefetch(
                "members",
                queryset=Affiliation.objects.filter(person__status=Status.PUBLISHED).select_related("person"),
            ),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        actor = self.object
        events = Event.objects.published().filter(participations__actor=actor)
        context["events"] = (
            events.select_related("event_type")
            .prefetch_related(
                Prefetch("participations", queryset=Participation.objects.filter(actor=actor), to_attr="actor_roles")
            )
            .order_by("-start_date", "-id")[: self.timeline_limit]
        )
        context["quotes"] = (
            Quote.objects.published().filter(speaker=actor).select_related("source")[: self.quotes_limit]
        )
        context["counterparts"] = self.counterparts(actor, events)
        return context

    counterparts_window = 100

    def counterparts(self, actor, events):
        """The published actors this one most often shares published events with, with counts,
        over its latest 100 events: a popular actor has tens of thousands, and counting them
        all took seconds at a million events (bench/README.md)."""
        # The ids first, as a query of their own: inside an IN (…) the planner chose a
        # parallel scan of the whole date index for a popular actor (0.3 to 0.7 s; 0.25 s still at 200 events, 30 ms at 100).
        latest = list(events.order_by("-start_date", "-id").values_list("pk", flat=True)[: self.counterparts_window])
        return (
            Participation.objects.filter(event__in=latest, actor__status=Status.PUBLISHED)
            .exclude(actor=actor)
            .values("actor__slug", "actor__name")
            .annotate(shared=Count("event", distinct=True))
            .order_by("-shared", "actor__name")[: self.counterparts_limit]
        )


class ActorSuggestView(View):
    """Search-as-you-type for the actor filter: published actors by name or alias, as JSON."""

    def get(self, request):
        text = request.GET.get("q", "").strip()
        if "\x00" in text or len(text) > 100:
            return JsonResponse({"error": "q must be at most 100 characters, without NUL bytes."}, status=400)
        if len(text) < 1:
            return JsonResponse({"results": []})
        alias_match = ActorAlias.objects.filter(name__icontains=text).values("actor_id")
        actors = (
            Actor.objects.published()
            .filter(Q(name__icontains=text) | Q(slug__icontains=text) | Q(pk__in=alias_match))
            .order_by("name", "id")
            .values("slug", "name", "kind", "country")[:SUGGEST_LIMIT]
        )
        return JsonResponse({"results": list(actors)})
