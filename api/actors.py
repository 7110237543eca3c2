from django.db.models import OuterRef, Prefetch

from actors.filters import ActorFilter
from actors.models import Actor, ActorAlias, Affiliation
from actors.selectors import possible_duplicates
from api.base import PublishedViewSet
from api.exports import joined
from api.serializers.actors import ActorSerializer
from api.writes import EditorWritesMixin, WorkflowActionsMixin
from core.publishing import Status


class ActorViewSet(EditorWritesMixin, WorkflowActionsMixin, PublishedViewSet):
    """People, states, organizations and groups, with their other names and roles."""

    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    queryset = Actor.objects.all()
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
            possible_duplicates(serializer.validated_data["name"]).values_list("slug", flat=True)[:5]
        )
        super().perform_create(serializer)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if getattr(self, "_duplicates", None) and response.status_code == 201:
            response["X-Possible-Duplicates"] = ", ".join(self._duplicates)
        return response

    def base_queryset(self):
        visible = {} if self.include_drafts else {"organization__status": Status.PUBLISHED}
        return Actor.objects.prefetch_related(
            "aliases",
            Prefetch(
                "affiliations",
                queryset=Affiliation.objects.filter(**visible).select_related("organization"),
            ),
        )
