from django.db.models import Prefetch

from events.api import EditorWritesMixin, WorkflowActionsMixin
from relations_site.api import PublishedViewSet

from .filters import ActorFilter
from .models import Actor, Affiliation
from .serializers import ActorSerializer


class ActorViewSet(EditorWritesMixin, WorkflowActionsMixin, PublishedViewSet):
    """People, states, organizations and groups, with their other names and roles."""

    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    queryset = Actor.objects.all()
    serializer_class = ActorSerializer
    filterset_class = ActorFilter
    lookup_field = "slug"
    export_columns = (
        ("slug", lambda a: a.slug),
        ("name", lambda a: a.name),
        ("kind", lambda a: a.kind),
        ("country", lambda a: a.country),
        ("wikidata_id", lambda a: a.wikidata_id),
        ("aliases", lambda a: ";".join(alias.name for alias in a.aliases.all())),
        ("description", lambda a: a.description),
    )

    def base_queryset(self):
        organizations = Actor.objects.all() if self.include_drafts else Actor.objects.published()
        return Actor.objects.prefetch_related(
            "aliases",
            Prefetch(
                "affiliations",
                queryset=Affiliation.objects.filter(organization__in=organizations).select_related("organization"),
            ),
        )
