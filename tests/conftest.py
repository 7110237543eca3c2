import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache


@pytest.fixture(autouse=True)
def empty_cache():
    """Cached pages and throttle counters from one test must not reach the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def editor(db):
    """A superuser: the admin tests are about pages and actions, not permissions."""
    return get_user_model().objects.create_superuser(username="editor", email="", password="pw-for-tests-only")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def api():
    from rest_framework.test import APIClient

    return APIClient()
