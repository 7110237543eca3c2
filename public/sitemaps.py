from django.contrib.sitemaps import Sitemap

from actors.models import Actor
from events.models import Event, Quote, Source


class PublishedSitemap(Sitemap):
    model = None
    fields = ("id", "updated_at")

    def items(self):
        # Published entries only; pk order keeps the sitemap's pages stable.
        return self.model.objects.published().only(*self.fields).order_by("pk")

    def lastmod(self, obj):
        return obj.updated_at


class EventSitemap(PublishedSitemap):
    model = Event
    fields = ("id", "slug", "updated_at")


class ActorSitemap(PublishedSitemap):
    model = Actor
    fields = ("id", "slug", "updated_at")


class QuoteSitemap(PublishedSitemap):
    model = Quote


class SourceSitemap(PublishedSitemap):
    model = Source


SITEMAPS = {"events": EventSitemap, "actors": ActorSitemap, "quotes": QuoteSitemap, "sources": SourceSitemap}
