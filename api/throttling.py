"""Who a request comes from, for rate limits: the API's throttles and django-axes' login
lockouts use ``client_address`` alike, so neither trusts a header the client wrote itself."""

from django.conf import settings
from rest_framework import throttling


def client_address(request):
    """The address of the client: REMOTE_ADDR, or behind PROXY_COUNT proxies of our own, the
    address the outermost of them saw, which is the PROXY_COUNT-th entry of X-Forwarded-For
    counted from the right (each proxy appends the address it was called from). Entries left of
    it were written by the client and prove nothing. With fewer entries than proxies, the
    request did not come through them all: the nearest peer (REMOTE_ADDR) is what is known."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.PROXY_COUNT
    if not count:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    return forwarded[-count] if len(forwarded) >= count else remote


class ClientAddressMixin:
    def get_ident(self, request):
        return client_address(request)


class AnonRateThrottle(ClientAddressMixin, throttling.AnonRateThrottle):
    """Anonymous reads, per client address."""


class TokenRateThrottle(ClientAddressMixin, throttling.ScopedRateThrottle):
    """Password attempts for an API token (scope "token"), per client address."""


class EditorRateThrottle(ClientAddressMixin, throttling.UserRateThrottle):
    """The signed-in rate, for signed-in clients only. (DRF's UserRateThrottle also counts
    anonymous clients by address, which would cap them at the editors' rate as well.)"""

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        return super().get_cache_key(request, view)
