from django.db.models import Prefetch

from events.models import Event, Quote
from relations_site.views import PublishedDetailView

from .models import Actor, Affiliation


class ActorDetailView(PublishedDetailView):
    model = Actor
    template_name = "actors/actor_detail.html"

    def get_base_queryset(self):
        return Actor.objects.prefetch_related(
            "aliases",
            Prefetch(
                "affiliations",
                queryset=Affiliation.objects.filter(organization__status="published").select_related("organization"),
            ),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        actor = self.object
        context["events"] = (
            Event.objects.published().filter(participations__actor=actor).select_related("event_type").distinct()[:50]
        )
        context["quotes"] = Quote.objects.published().filter(speaker=actor).select_related("source")[:50]
        return context
