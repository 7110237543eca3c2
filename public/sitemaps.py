from django.contrib.sitemaps import Sitemap

from actors import selectors as actor_selectors
from events import selectors as event_selectors


class PublishedSitemap(Sitemap):
    public = None  # the app's selector of what the public sees
    fields = ("id", "updated_at")

    def items(self):
        # pk order keeps the sitemap's pages stable.
        return self.public().only(*self.fields).order_by("pk")

    def lastmod(self, obj):
        return obj.updated_at


class EventSitemap(PublishedSitemap):
    public = staticmethod(event_selectors.public_event_rows)
    fields = ("id", "slug", "updated_at")


class ActorSitemap(PublishedSitemap):
    public = staticmethod(actor_selectors.public_actors)
    fields = ("id", "slug", "updated_at")


class QuoteSitemap(PublishedSitemap):
    public = staticmethod(event_selectors.public_quotes)


class SourceSitemap(PublishedSitemap):
    public = staticmethod(event_selectors.public_sources)


SITEMAPS = {"events": EventSitemap, "actors": ActorSitemap, "quotes": QuoteSitemap, "sources": SourceSitemap}
