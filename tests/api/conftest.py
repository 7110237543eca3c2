import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.cache import cache
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def fresh_throttles():
    # Throttle counters live in the cache; each test starts with none.
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


def user_with(*codenames, username="tool"):
    user = get_user_model().objects.create_user(username=username, password="pw-for-tests-only")
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return get_user_model().objects.get(pk=user.pk)  # fresh permission cache


@pytest.fixture
def editor_api(db):
    """An editors' tool authenticated by token, with every permission on the core models."""
    from rest_framework.authtoken.models import Token

    codenames = [
        f"{action}_{model}"
        for action in ("view", "add", "change", "delete")
        for model in ("event", "actor", "quote", "source")
    ]
    user = user_with(*codenames, username="editor-tool")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    client.user = user
    return client
