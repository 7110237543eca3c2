from django.urls import path

from . import views

app_name = "actors"

urlpatterns = [
    path("actors/", views.ActorListView.as_view(), name="list"),
    # Not under actors/ so that no actor's slug can collide with it.
    path("suggest/actors/", views.ActorSuggestView.as_view(), name="suggest"),
    path("actors/<slug:slug>/", views.ActorDetailView.as_view(), name="detail"),
]
