"""Reads of actors: what each audience may see, and the prefetches that go with it."""

from actors.models import Actor, match_key


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
