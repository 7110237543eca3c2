from django.db.models import Prefetch

from actors.models import Actor
from relations_site.views import PublishedDetailView

from .models import Citation, Event, Participation, Quote, Source


class EventDetailView(PublishedDetailView):
    model = Event
    template_name = "events/event_detail.html"

    def get_base_queryset(self):
        return Event.objects.select_related("event_type").prefetch_related(
            Prefetch(
                "participations",
                queryset=Participation.objects.filter(actor__in=Actor.objects.published()).select_related("actor"),
            ),
            Prefetch(
                "citations",
                queryset=Citation.objects.filter(source__in=Source.objects.published()).select_related("source"),
            ),
            Prefetch("quotes", queryset=Quote.objects.published().select_related("speaker")),
        )


class QuoteDetailView(PublishedDetailView):
    model = Quote
    template_name = "events/quote_detail.html"

    def get_base_queryset(self):
        return Quote.objects.select_related("speaker", "source", "event")


class SourceDetailView(PublishedDetailView):
    model = Source
    template_name = "events/source_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["events"] = Event.objects.published().filter(citations__source=self.object).select_related("event_type")
        context["quotes"] = Quote.objects.published().filter(source=self.object).select_related("speaker")
        return context
