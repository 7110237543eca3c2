"""Whole-response caching of public reads, with invalidation the moment anything changes.

Anonymous GETs of pages and API reads are answered from the cache (Redis in production,
CACHE_URL), each stored with the *generation* number it was rendered under. Any write the
public could see (to every model of the domain apps, each connecting its own; by any path: admin, API,
services, shell) bumps the generation, so no cached response survives an edit, not even for a
second. Editorial writes are rare next to public reads, so throwing the whole cache away on
each is cheap.

Writes the public cannot see leave the cache alone: editors spend the day on drafts, and
emptying the cache on each draft saved would leave readers a 26–34% hit rate (the load test).
A write is public when the row was or is public, as its stored row says before and after the
write (``is_public``): an entry (event, actor, source, quote) while published (its withdrawal
is a write while published; the changes feed lists only what the public saw); a link row
(participation, citation, alias, affiliation) while an entry it belongs to is published.
Anything else (event types, raw fixture loads) always counts as public. History records are
for editors only.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from simple_history.models import HistoricalChanges

from core.publishing import Publishable, Status

GENERATION_KEY = "relations:generation"
TIMEOUT = 60 * 60


def generation():
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        value = cache.get(GENERATION_KEY, 1)
    return value


def _bump():
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not set yet (or evicted): any new value invalidates
        cache.set(GENERATION_KEY, 2, timeout=None)


def bump_generation(**kwargs):
    # Now, and again when the transaction commits: a reader between the two would otherwise
    # cache the old rows under the new generation.
    _bump()
    transaction.on_commit(_bump)


def is_public(instance):
    """Whether the stored row of ``instance`` is one the public can see (one query), or None
    when that is not decided by a status (always treated as public)."""
    model = type(instance)
    rows = model._base_manager.filter(pk=instance.pk)
    if isinstance(instance, Publishable):
        # The model's own rule, as every reader's selector applies it (an event without a
        # published source is not public, whatever its status).
        return model.objects.filter(pk=instance.pk).published().exists()
    # Link rows (a participation, an alias) name the entries they belong to: public while one is.
    parents = getattr(model, "public_parents", None)
    if parents:
        public = Q()
        for parent in parents:
            public |= Q(**{f"{parent}__status": Status.PUBLISHED})
        return rows.filter(public).exists()
    return None


def before_write(sender, instance, raw=False, **kwargs):
    if raw or isinstance(instance, HistoricalChanges):
        return
    instance._public_before = False if instance._state.adding else is_public(instance)


def after_save(sender, instance, raw=False, **kwargs):
    if isinstance(instance, HistoricalChanges) and not raw:
        return
    if raw or getattr(instance, "_public_before", None) is not False or is_public(instance) is not False:
        bump_generation()


def after_delete(sender, instance, **kwargs):
    if isinstance(instance, HistoricalChanges):
        return
    if getattr(instance, "_public_before", None) is not False:
        bump_generation()


def connect_invalidation(app_config):
    """Signals, deliberately: invalidation must follow every write path, including ones that
    do not go through services (fixtures, shell, migrations). Each domain app connects its
    models from its AppConfig.ready()."""
    for model in app_config.get_models():
        uid = f"cache-{model._meta.label}"
        pre_save.connect(before_write, sender=model, dispatch_uid=f"{uid}-before-save")
        post_save.connect(after_save, sender=model, dispatch_uid=f"{uid}-save")
        pre_delete.connect(before_write, sender=model, dispatch_uid=f"{uid}-before-delete")
        post_delete.connect(after_delete, sender=model, dispatch_uid=f"{uid}-delete")
        m2m_changed.connect(bump_generation, sender=model, dispatch_uid=f"{uid}-m2m")


class PublicCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self.cacheable_request(request):
            return self.get_response(request)
        digest = hashlib.blake2b(
            f"{request.scheme}://{request.get_host()}{request.get_full_path()}|{request.headers.get('Accept', '')}".encode(),
            digest_size=16,
        ).hexdigest()
        key = f"relations:page:{digest}"
        # One round trip for both: the generation, and the page with the generation it was
        # rendered under. A page from an older generation is a miss.
        found = cache.get_many([GENERATION_KEY, key])
        current = found.get(GENERATION_KEY) or generation()
        cached = found.get(key)
        if cached is not None and cached[0] == current:
            response = cached[1]
            response["X-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            if hasattr(response, "render") and callable(response.render) and not response.is_rendered:
                response.render()
            # The generation read before rendering: if a write bumped it meanwhile, this
            # page is already stale and the next reader misses.
            cache.set(key, (current, response), TIMEOUT)
        response["X-Cache"] = "miss"
        return response

    @staticmethod
    def cacheable_request(request):
        if not settings.PUBLIC_CACHE or request.method not in ("GET", "HEAD"):
            return False
        if not request.path.startswith(settings.PUBLIC_CACHE_PREFIXES) and request.path != "/":
            return False
        # Editors (a session, a token) see drafts and previews: never from or into the cache.
        if "HTTP_AUTHORIZATION" in request.META or request.COOKIES.get("sessionid"):
            return False
        return True
