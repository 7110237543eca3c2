from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("events/", views.EventListView.as_view(), name="list"),
    path("events/<slug:slug>/", views.EventDetailView.as_view(), name="detail"),
    path("quotes/", views.QuoteListView.as_view(), name="quote-list"),
    path("quotes/<id:pk>/", views.QuoteDetailView.as_view(), name="quote-detail"),
    path("sources/", views.SourceListView.as_view(), name="source-list"),
    path("sources/<id:pk>/", views.SourceDetailView.as_view(), name="source-detail"),
]
