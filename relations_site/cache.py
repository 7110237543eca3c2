"""Whole-response caching of public reads, with invalidation the moment anything changes.

Anonymous GETs of pages and API reads are answered from the cache (Redis in production,
CACHE_URL), each stored with the *generation* number it was rendered under. Any write to the record (every
model of the actors and events apps, by any path: admin, API, services, shell) bumps the
generation, so no cached response survives an edit, not even for a second. Editorial writes
are rare next to public reads, so throwing the whole cache away on each is cheap.
"""

import hashlib

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

GENERATION_KEY = "relations:generation"
TIMEOUT = 60 * 60
CACHED_PREFIXES = ("/api/", "/events/", "/actors/", "/quotes/", "/sources/", "/search/", "/feeds/", "/sitemap")


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


def connect_invalidation():
    """Signals, deliberately: invalidation must follow every write path, including ones that
    do not go through services (fixtures, shell, migrations)."""
    for app_label in ("actors", "events"):
        for model in apps.get_app_config(app_label).get_models():
            post_save.connect(bump_generation, sender=model, dispatch_uid=f"cache-{model._meta.label}-save")
            post_delete.connect(bump_generation, sender=model, dispatch_uid=f"cache-{model._meta.label}-delete")
            m2m_changed.connect(bump_generation, sender=model, dispatch_uid=f"cache-{model._meta.label}-m2m")


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
        if not request.path.startswith(CACHED_PREFIXES) and request.path != "/":
            return False
        # Editors (a session, a token) see drafts and previews: never from or into the cache.
        if "HTTP_AUTHORIZATION" in request.META or request.COOKIES.get("sessionid"):
            return False
        return True
