"""API authentication. Kept apart from the token views: DRF imports this module while its own
views module is still loading."""

import datetime

from django.conf import settings
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed


def expires_at(token):
    return token.created + datetime.timedelta(days=settings.API_TOKEN_MAX_AGE_DAYS)


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing tokens older than API_TOKEN_MAX_AGE_DAYS."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if expires_at(token) <= timezone.now():
            raise AuthenticationFailed(
                "This token has expired. Get a new one with POST /api/auth/token/ (username and password)."
            )
        return user, token
