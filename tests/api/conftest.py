import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

# Shared with the whole suite from tests/editorial.py; tests import them from here too.
from tests.editorial import member_of, token_client  # noqa: F401


def user_with(*codenames, username="tool"):
    """A staff account (editors are staff: only they are authenticated by the API) with these permissions."""
    user = get_user_model().objects.create_user(username=username, password="pw-for-tests-only", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return get_user_model().objects.get(pk=user.pk)  # fresh permission cache


@pytest.fixture
def editor_api(db):
    """An editors' tool, authenticated by token, as a member of the Editor group."""
    return token_client(member_of("Editor", "editor-tool"))


@pytest.fixture
def publisher_api(db):
    """The same, for a member of the Publisher group."""
    return token_client(member_of("Publisher", "publisher-tool"))
