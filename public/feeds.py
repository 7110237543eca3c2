"""Atom feeds of the newest published events and quotes, filtered like the lists (?actor=…)."""

from django.contrib.syndication.views import Feed
from django.core.exceptions import BadRequest
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from events import selectors
from events.filters import PublicEventFilter, QuoteFilter
from public.views.base import form_error_messages

FEED_SIZE = 50


class FilteredFeed(Feed):
    """A feed filtered by its list's FilterSet; a bad parameter is a 400 with the form's messages
    (shown by public.views.errors.bad_request).

    Descriptions are escaped: an Atom summary is HTML (type="html"), so an editor's text with
    markup in it would otherwise be run as markup by feed readers. Titles are plain text."""

    feed_type = Atom1Feed
    filterset_class = None

    def get_queryset(self):
        raise NotImplementedError

    def get_object(self, request):
        filterset = self.filterset_class(request.GET, queryset=self.get_queryset(), request=request)
        if not filterset.is_valid():
            raise BadRequest(" ".join(form_error_messages(filterset.form)))
        return filterset.qs


class EventFeed(FilteredFeed):
    title = "Relations: events"
    link = "/events/"
    subtitle = "The newest published events in the Relations record."
    filterset_class = PublicEventFilter

    def get_queryset(self):
        return selectors.public_event_rows()

    def items(self, queryset):
        return queryset.order_by("-start_date", "-id")[:FEED_SIZE]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return escape(f"{item.date_display} · {item.type_name}. {item.summary}")

    def item_updateddate(self, item):
        return item.updated_at

    def item_pubdate(self, item):
        return item.created_at


class QuoteFeed(FilteredFeed):
    title = "Relations: quotes"
    link = "/quotes/"
    subtitle = "The newest published quotes in the Relations record."
    filterset_class = QuoteFilter

    def get_queryset(self):
        return selectors.public_quotes().select_related("speaker")

    def items(self, queryset):
        return queryset[:FEED_SIZE]

    def item_title(self, item):
        return f"{item.speaker.name}: {item.text[:80]}"

    def item_description(self, item):
        return escape(item.text)

    def item_author_name(self, item):
        return item.speaker.name

    def item_updateddate(self, item):
        return item.updated_at

    def item_pubdate(self, item):
        return item.created_at
