import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient


def user_with(*codenames, username="tool"):
    """A staff account (editors are staff: only they are authenticated by the API) with these permissions."""
    user = get_user_model().objects.create_user(username=username, password="pw-for-tests-only", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return get_user_model().objects.get(pk=user.pk)  # fresh permission cache


def member_of(group, username, *, is_staff=True):
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(username=username, password="pw-for-tests-only", is_staff=is_staff)
    user.groups.add(Group.objects.get(name=group))
    return get_user_model().objects.get(pk=user.pk)


def token_client(user):
    from rest_framework.authtoken.models import Token

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    client.user = user
    return client


@pytest.fixture
def editor_api(db):
    """An editors' tool, authenticated by token, as a member of the Editor group."""
    return token_client(member_of("Editor", "editor-tool"))


@pytest.fixture
def publisher_api(db):
    """The same, for a member of the Publisher group."""
    return token_client(member_of("Publisher", "publisher-tool"))
