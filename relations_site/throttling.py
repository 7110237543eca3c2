from rest_framework.throttling import UserRateThrottle


class EditorRateThrottle(UserRateThrottle):
    """The signed-in rate, for signed-in clients only. (DRF's UserRateThrottle also counts
    anonymous clients by address, which would cap them at the editors' rate as well.)"""

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        return super().get_cache_key(request, view)
