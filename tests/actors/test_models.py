import datetime

import pytest
from django.core.exceptions import ValidationError

from actors.models import Actor, ActorAlias, Affiliation
from core.publishing import Status
from tests.factories import ActorAliasFactory, ActorFactory, AffiliationFactory, StateFactory
from tests.helpers import assert_rejected, assert_rejected_by_database

pytestmark = pytest.mark.django_db


def test_actor_valid_entry_passes_validation():
    actor = Actor(name="Vladimir Putin", slug="vladimir-putin", kind="person", country="RU", wikidata_id="Q7747")
    actor.full_clean()
    actor.save()
    assert actor.status == Status.DRAFT


@pytest.mark.parametrize("wikidata_id", ["7747", "q7747", "Q", "Q07747", "Q12a", "P31"])
def test_actor_wikidata_id_malformed_is_rejected(wikidata_id):
    actor = Actor(name="X", slug="x", kind="person", wikidata_id=wikidata_id)
    assert_rejected(actor, "A Wikidata ID is a Q followed by digits, such as Q7747.")


def test_actor_wikidata_id_duplicate_is_rejected():
    ActorFactory(wikidata_id="Q7747")
    actor = Actor(name="Putin again", slug="putin-again", kind="person", wikidata_id="Q7747")
    assert_rejected(actor, "Another actor already has this Wikidata ID.")


def test_actor_blank_wikidata_ids_may_repeat():
    ActorFactory(wikidata_id="")
    actor = Actor(name="Unknown", slug="unknown", kind="person", wikidata_id="")
    actor.full_clean()
    actor.save()
    assert Actor.objects.filter(wikidata_id="").count() == 2


@pytest.mark.parametrize("country", ["ru", "R", "R1", "1U"])
def test_actor_country_not_alpha2_is_rejected(country):
    actor = Actor(name="X", slug="x", kind="state", country=country)
    assert_rejected(actor, "Country must be an ISO 3166-1 alpha-2 code in capitals, such as RU, or blank.")


def test_actor_slug_duplicate_is_rejected():
    ActorFactory(slug="russia")
    actor = Actor(name="Russia", slug="russia", kind="state")
    assert_rejected(actor, "Actor with this Slug already exists.")


def test_actor_unknown_kind_is_rejected():
    actor = Actor(name="X", slug="x", kind="planet")
    with pytest.raises(ValidationError) as excinfo:
        actor.full_clean()
    assert "kind" in excinfo.value.message_dict
    assert_rejected_by_database(actor)


def test_actor_unknown_status_is_rejected_by_the_database():
    actor = Actor(name="X", slug="x", kind="person", status="live")
    assert_rejected_by_database(actor)


def test_actor_published_returns_only_published():
    published = ActorFactory(status=Status.PUBLISHED, name="Shown")
    for status in (Status.DRAFT, Status.REVIEW, Status.WITHDRAWN):
        ActorFactory(status=status, name=f"Hidden {status}")
    assert list(Actor.objects.published()) == [published]
    assert published.is_published
    assert not Actor(status=Status.WITHDRAWN).is_published


def test_alias_duplicate_for_same_actor_and_language_is_rejected():
    alias = ActorAliasFactory(name="Moscow", language="en")
    duplicate = ActorAlias(actor=alias.actor, name="Moscow", language="en")
    assert_rejected(duplicate, "This actor already has this alias in this language.")


def test_alias_bad_language_tag_is_rejected():
    alias = ActorAlias(actor=ActorFactory(), name="Moscou", language="French!")
    assert_rejected(alias, "Language must be a BCP 47 tag such as en, zh or zh-Hant, or blank.")


def test_affiliation_end_before_start_is_rejected():
    affiliation = AffiliationFactory.build(
        person=ActorFactory(),
        organization=StateFactory(),
        start_date=datetime.date(2013, 3, 16),
        end_date=datetime.date(2013, 3, 15),
    )
    assert_rejected(affiliation, "The end date cannot be before the start date.")


def test_affiliation_with_oneself_is_rejected():
    person = ActorFactory()
    affiliation = Affiliation(person=person, organization=person, title="Member")
    with pytest.raises(ValidationError) as excinfo:
        affiliation.full_clean()
    assert excinfo.value.message_dict["organization"] == [
        "An affiliation is with a state, organization or group, not a person."
    ]
    assert_rejected_by_database(affiliation)


def test_affiliation_of_a_state_is_rejected_with_a_field_error():
    affiliation = Affiliation(person=StateFactory(), organization=StateFactory(), title="Ally")
    with pytest.raises(ValidationError) as excinfo:
        affiliation.full_clean()
    assert excinfo.value.message_dict["person"] == ["Only a person can hold an affiliation."]
