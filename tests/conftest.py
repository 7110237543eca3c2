import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache


def pytest_configure(config):
    """A fast password hasher: the suite makes and signs in hundreds of accounts, and PBKDF2's
    million iterations cost about 0.4 s each. Strength is production's concern, not the tests'."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
def group_editor(db):
    """A member of the Editor group (staff, not a superuser): what the workflow lets an Editor do."""
    from tests.editorial import member_of

    return member_of("Editor", "edna")


@pytest.fixture
def publisher(db):
    """A member of the Publisher group (staff, not a superuser)."""
    from tests.editorial import member_of

    return member_of("Publisher", "pablo")


@pytest.fixture
def staff_editor(db):
    """A staff account with a real password and no group: for signing in and asking for tokens."""
    return get_user_model().objects.create_user("ed", password="right-password-123", is_staff=True)


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def api():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def event_types(transactional_db):
    """The CAMEO types, for transactional tests: their flush empties every table when each
    ends, the types the migration seeded included (serialized_rollback trips over the content
    types the flush recreates), so they are seeded again with the migration's own function."""
    import importlib

    from django.apps import apps

    from events.models import EventType

    if not EventType.objects.exists():
        importlib.import_module("events.migrations.0002_seed_cameo_event_types").seed(apps, None)


@pytest.fixture
def editorial_roles(transactional_db):
    """The Editor and Publisher groups, for transactional tests (their flush empties the
    groups the migration made), made again by the migration's own function."""
    import importlib

    from django.apps import apps
    from django.contrib.auth.models import Group

    # The flush's post_migrate made the permissions again; only the groups are missing.
    # (Not create_roles: it resets models_module on the app configs it is given, which on the
    # project's own registry hid every app from dumpdata in the tests that ran after.)
    if not Group.objects.filter(name__in=["Editor", "Publisher"]).count() == 2:
        importlib.import_module("events.migrations.0005_editorial_roles").assign_roles(apps)
