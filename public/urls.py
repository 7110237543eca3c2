"""The public site's addresses: pages, feeds and sitemaps. Events', quotes' and sources' pages
keep the ``events:`` namespace and actors' the ``actors:`` one, as templates and models name them."""

from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path, register_converter

from core import converters
from public import feeds, sitemaps
from public.views import actors, events, home

register_converter(converters.IdConverter, "id")

event_patterns = [
    path("events/", events.EventListView.as_view(), name="list"),
    path("events/<slug:slug>/", events.EventDetailView.as_view(), name="detail"),
    path("quotes/", events.QuoteListView.as_view(), name="quote-list"),
    path("quotes/<id:pk>/", events.QuoteDetailView.as_view(), name="quote-detail"),
    path("sources/", events.SourceListView.as_view(), name="source-list"),
    path("sources/<id:pk>/", events.SourceDetailView.as_view(), name="source-detail"),
]

actor_patterns = [
    path("actors/", actors.ActorListView.as_view(), name="list"),
    # Not under actors/ so that no actor's slug can collide with it.
    path("suggest/actors/", actors.ActorSuggestView.as_view(), name="suggest"),
    path("actors/<slug:slug>/", actors.ActorDetailView.as_view(), name="detail"),
]

urlpatterns = [
    path("", home.HomeView.as_view(), name="home"),
    path("search/", home.SearchView.as_view(), name="search"),
    path("feeds/events/", feeds.EventFeed(), name="feed-events"),
    path("feeds/quotes/", feeds.QuoteFeed(), name="feed-quotes"),
    path("sitemap.xml", sitemap_views.index, {"sitemaps": sitemaps.SITEMAPS}, name="sitemap"),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": sitemaps.SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("", include((event_patterns, "events"))),
    path("", include((actor_patterns, "actors"))),
]
