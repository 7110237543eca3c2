from django.urls import include, path
from rest_framework.routers import DefaultRouter

from api.actors import ActorViewSet
from api.changes import ChangesView
from api.events import EventTypeViewSet, EventViewSet, QuoteViewSet, SourceViewSet
from api.schema import DocsView, SchemaView
from api.tokens import RotateTokenView, TokenView

router = DefaultRouter()
router.register("events", EventViewSet, basename="event")
router.register("actors", ActorViewSet, basename="actor")
router.register("quotes", QuoteViewSet, basename="quote")
router.register("sources", SourceViewSet, basename="source")
router.register("event-types", EventTypeViewSet, basename="event-type")

app_name = "api"

urlpatterns = [
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(url_name="api:schema"), name="docs"),
    path("changes/", ChangesView.as_view(), name="changes"),
    path("auth/token/", TokenView.as_view(), name="token"),
    path("auth/token/rotate/", RotateTokenView.as_view(), name="token-rotate"),
    path("", include(router.urls)),
]
