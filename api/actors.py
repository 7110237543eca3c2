from django.db.models import OuterRef

from actors import selectors
from actors.filters import ActorFilter
from actors.models import Actor, ActorAlias
from api.base import PublishedViewSet
from api.exports import joined
from api.serializers.actors import ActorSerializer
from api.writes import EditorWritesMixin, WorkflowActionsMixin


class ActorViewSet(EditorWritesMixin, WorkflowActionsMixin, PublishedViewSet):
    """People, states, organizations and groups, with their other names and roles."""

    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    queryset = Actor.objects.all()
    selector = staticmethod(selectors.actors_for)
    serializer_class = ActorSerializer
    filterset_class = ActorFilter
    lookup_field = "slug"
    export_columns = (
        ("slug", "slug"),
        ("name", "name"),
        ("kind", "kind"),
        ("country", "country"),
        ("wikidata_id", "wikidata_id"),
        ("aliases", joined(ActorAlias.objects.filter(actor=OuterRef("pk")), "name")),
        ("description", "description"),
    )

    def perform_create(self, serializer):
        # Same warning as the admin's, without blocking a tool: the response names the matches.
        self._duplicates = list(
            selectors.possible_duplicates(serializer.validated_data["name"]).values_list("slug", flat=True)[:5]
        )
        super().perform_create(serializer)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if getattr(self, "_duplicates", None) and response.status_code == 201:
            response["X-Possible-Duplicates"] = ", ".join(self._duplicates)
        return response

    def with_links(self, queryset):
        return queryset.prefetch_related("aliases", selectors.organizations(**self.links))
