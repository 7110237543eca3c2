import pytest
from django.http import QueryDict

from actors.filters import ActorFilter
from actors.models import Actor
from core.publishing import Status
from tests.factories import ActorAliasFactory, ActorFactory, StateFactory

pytestmark = pytest.mark.django_db


def actors(query):
    filterset = ActorFilter(QueryDict(query), queryset=Actor.objects.published())
    assert filterset.is_valid(), filterset.errors
    return [a.slug for a in filterset.qs]


def test_actor_search_finds_by_name_and_by_alias():
    russia = StateFactory(name="Russia", slug="russia", country="RU")
    ActorAliasFactory(actor=russia, name="Moscow")
    StateFactory(name="China", slug="china", country="CN")
    assert actors("q=moscow") == ["russia"]
    assert actors("q=Russia") == ["russia"]
    assert actors("q=beijing") == []


def test_actor_search_does_not_find_drafts_through_aliases():
    hidden = ActorFactory(name="Hidden", slug="hidden", status=Status.DRAFT)
    ActorAliasFactory(actor=hidden, name="Searchable")
    assert actors("q=searchable") == []


def test_actor_filters_by_kind_and_country_in_name_order():
    StateFactory(name="Russia", slug="russia", country="RU")
    ActorFactory(name="Vladimir Putin", slug="putin", country="RU")
    StateFactory(name="China", slug="china", country="CN")
    assert actors("kind=state") == ["china", "russia"]
    assert actors("country=ru") == ["russia", "putin"]
    assert actors("ordering=-name") == ["putin", "russia", "china"]
