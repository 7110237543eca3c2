"""API tokens for editors' tools: obtained with a password, expiring, rotated on demand.

Password attempts go through django-axes (AUTHENTICATION_BACKENDS), so the API endpoint is
rate limited exactly like the admin's login form, plus a per-address throttle.
"""

from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api.authentication import expires_at
from api.throttling import TokenRateThrottle
from core.publishing import is_editor


@transaction.atomic
def rotate_token(user):
    """A new token for ``user``; the old one stops working at once."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


def current_token(user):
    """The editor's token if it is still valid, else a new one."""
    token = Token.objects.filter(user=user).first()
    if token is None or expires_at(token) <= timezone.now():
        token = rotate_token(user)
    return token


def token_body(token):
    return {"token": token.key, "expires_at": expires_at(token).isoformat(timespec="seconds")}


TokenResponse = inline_serializer(
    "Token", {"token": serializers.CharField(), "expires_at": serializers.DateTimeField()}
)


class Credentials(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


class TokenView(APIView):
    """POST a username and password for your API token; DELETE (signed in with it) revokes it."""

    throttle_classes = [TokenRateThrottle]
    throttle_scope = "token"

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    def get_throttles(self):
        return super().get_throttles() if self.request.method == "POST" else []

    @extend_schema(request=Credentials, responses={200: TokenResponse})
    def post(self, request):
        credentials = Credentials(data=request.data)
        credentials.is_valid(raise_exception=True)
        # The plain HttpRequest: django-axes marks a locked-out attempt on it, and its
        # middleware answers 429 (public.views.errors.login_locked_out) whatever we return.
        user = authenticate(request._request, **credentials.validated_data)
        if user is None:
            raise AuthenticationFailed("Wrong username or password.")
        if not is_editor(user):
            raise PermissionDenied("API tokens are for editors.")
        return Response(token_body(current_token(user)))

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class RotateTokenView(APIView):
    """POST, signed in (token or session): a new token; the old one stops working at once."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: TokenResponse})
    def post(self, request):
        if not is_editor(request.user):
            raise PermissionDenied("API tokens are for editors.")
        return Response(token_body(rotate_token(request.user)))
