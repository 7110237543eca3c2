from django.urls import path

from . import views

app_name = "actors"

urlpatterns = [
    path("actors/<slug:slug>/", views.ActorDetailView.as_view(), name="detail"),
]
