"""Atom feeds of the newest published events and quotes, filtered like the lists (?actor=…)."""

from django.contrib.syndication.views import Feed
from django.core.exceptions import BadRequest
from django.utils.feedgenerator import Atom1Feed

from events.filters import EventFilter, QuoteFilter
from events.models import Event, Quote

from .views import form_error_messages

FEED_SIZE = 50


def filtered(filterset_class, request, queryset):
    filterset = filterset_class(request.GET, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise BadRequest(" ".join(form_error_messages(filterset.form)))
    return filterset.qs


class EventFeed(Feed):
    feed_type = Atom1Feed
    title = "Relations: events"
    link = "/events/"
    subtitle = "The newest published events in the Relations record."

    def get_object(self, request):
        return filtered(EventFilter, request, Event.objects.published().select_related("event_type"))

    def items(self, queryset):
        return queryset.order_by("-start_date", "-id")[:FEED_SIZE]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return f"{item.date_display} · {item.event_type.name}. {item.summary}"

    def item_updateddate(self, item):
        return item.updated_at

    def item_pubdate(self, item):
        return item.created_at


class QuoteFeed(Feed):
    feed_type = Atom1Feed
    title = "Relations: quotes"
    link = "/quotes/"
    subtitle = "The newest published quotes in the Relations record."

    def get_object(self, request):
        return filtered(QuoteFilter, request, Quote.objects.published().select_related("speaker"))

    def items(self, queryset):
        return queryset[:FEED_SIZE]

    def item_title(self, item):
        return f"{item.speaker.name}: {item.text[:80]}"

    def item_description(self, item):
        return item.text

    def item_author_name(self, item):
        return item.speaker.name

    def item_updateddate(self, item):
        return item.updated_at

    def item_pubdate(self, item):
        return item.created_at
