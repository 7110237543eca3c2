"""API authentication. Kept apart from the token views: DRF imports this module while its own
views module is still loading."""

import datetime

from django.conf import settings
from django.utils import timezone
from drf_spectacular.authentication import SessionScheme
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from core.publishing import is_editor


def expires_at(token):
    return token.created + datetime.timedelta(days=settings.API_TOKEN_MAX_AGE_DAYS)


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing tokens older than API_TOKEN_MAX_AGE_DAYS and tokens
    of accounts that may no longer hold one (no longer staff, deactivated)."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if not is_editor(user):
            raise AuthenticationFailed("This token's account may no longer use the API as an editor.")
        if expires_at(token) <= timezone.now():
            raise AuthenticationFailed(
                "This token has expired. Get a new one with POST /api/auth/token/ (username and password)."
            )
        return user, token


class EditorSessionAuthentication(SessionAuthentication):
    """The admin's session, for editors only: a session of an account that lost staff status
    (or any other non-editor) is not authenticated, so it reads what the public reads."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None or not is_editor(result[0]):
            return None
        return result


class EditorSessionScheme(SessionScheme):
    """The OpenAPI security scheme of the editors' session: the admin's session cookie."""

    target_class = EditorSessionAuthentication
