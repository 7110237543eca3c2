from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path, register_converter

from . import converters, feeds, pages, sitemaps

register_converter(converters.IdConverter, "id")

handler400 = "relations_site.views.bad_request"
handler404 = "relations_site.views.page_not_found"

urlpatterns = [
    path("", pages.HomeView.as_view(), name="home"),
    path("search/", pages.SearchView.as_view(), name="search"),
    path("feeds/events/", feeds.EventFeed(), name="feed-events"),
    path("feeds/quotes/", feeds.QuoteFeed(), name="feed-quotes"),
    path("sitemap.xml", sitemap_views.index, {"sitemaps": sitemaps.SITEMAPS}, name="sitemap"),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": sitemaps.SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("admin/", admin.site.urls),
    path("api/", include("relations_site.api_urls")),
    path("", include("events.urls")),
    path("", include("actors.urls")),
]
