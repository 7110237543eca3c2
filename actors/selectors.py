"""Reads of actors: what each reader may see, with the prefetches that go with it (the rule:
``core.publishing.readable``; links follow it as in ``events.selectors``)."""

from django.db.models import Prefetch, Q

from actors.models import Actor, ActorAlias, Affiliation, match_key
from core.publishing import Status, link_filter, readable


def public_actors():
    """Actors the public sees."""
    return Actor.objects.published()


def actors_for(user, *, status=None):
    """Actors ``user`` reads (``readable``: ``status=None`` for an address, "published" for lists)."""
    return readable(Actor.objects.all(), user=user, status=status)


def _affiliations(user, side, *, previewing):
    return Affiliation.objects.filter(**link_filter(user, Actor, side, previewing=previewing)).select_related(side)


def organizations(*, user=None, previewing=False):
    """Prefetch of people's affiliations with the organization: published organizations, and
    in an editor's preview every one they may open."""
    return Prefetch("affiliations", queryset=_affiliations(user, "organization", previewing=previewing))


def members(*, user=None, previewing=False):
    """Prefetch of organizations' affiliations with the person, by the same rule."""
    return Prefetch("members", queryset=_affiliations(user, "person", previewing=previewing))


def merged_into_public(*, slug):
    """The published actor that the actor at ``slug`` was merged into, or None: a merged
    actor's address leads there."""
    merged = Actor.objects.filter(slug=slug, merged_into__status=Status.PUBLISHED).select_related("merged_into").first()
    return merged.merged_into if merged else None


def suggestions(text, *, limit):
    """Published actors whose name, slug or an alias contains ``text``: the filter's
    search-as-you-type."""
    alias_match = ActorAlias.objects.filter(name__icontains=text).values("actor_id")
    return (
        public_actors()
        .filter(Q(name__icontains=text) | Q(slug__icontains=text) | Q(pk__in=alias_match))
        .order_by("name", "id")
        .values("slug", "name", "kind", "country")[:limit]
    )


def possible_duplicates(name, *, exclude=None):
    """Actors whose name or an alias matches ``name`` ignoring case, accents and word order
    (every status: an editor is warned about a draft duplicate too)."""
    key = match_key(name)
    if not key:
        return Actor.objects.none()
    matches = Actor.objects.filter(match_key=key) | Actor.objects.filter(aliases__match_key=key)
    if exclude is not None and exclude.pk:
        matches = matches.exclude(pk=exclude.pk)
    return matches.distinct().order_by("name")
