"""The actors' FilterSet, used by the page and the API."""

import django_filters
from django.db.models import Exists, OuterRef, Q

from actors.models import Actor, ActorAlias, ActorKind
from core import search
from core.filters import BaseFilterSet, CountryFilter, SearchFilter, StableOrderingFilter


class ActorSearchFilter(SearchFilter):
    """``q`` on actors: their name and description, or any of their aliases ("Moscow" finds Russia)."""

    def filter(self, qs, value):
        value = (value or "").strip()
        if not value:
            return qs
        if search.is_postgresql():
            query = search.search_query(value)
            alias_match = Exists(ActorAlias.objects.filter(actor=OuterRef("pk"), search_document=query))
            return qs.filter(Q(search_document=query) | alias_match).annotate(
                rank=search.SearchRank(search.F("search_document"), query)
            )
        names = search.search(qs, value)
        aliases = search.search(ActorAlias.objects.all(), value).filter(actor=OuterRef("pk"))
        return qs.filter(Q(pk__in=names.values("pk")) | Exists(aliases))


class ActorFilter(BaseFilterSet):
    q = ActorSearchFilter(help_text="Words in a name, an alias or the description.")
    kind = django_filters.ChoiceFilter(choices=ActorKind.choices)
    country = CountryFilter(label="Country")
    ordering = StableOrderingFilter(fields={"name": "name"}, label="Order")

    class Meta(BaseFilterSet.Meta):
        model = Actor
        fields = []
