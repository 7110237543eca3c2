"""Possible duplicates (actors.selectors.possible_duplicates): the admin warns, with a link, before
adding one; the API names them in a header."""

import pytest
from django.urls import reverse

from actors.models import Actor
from tests.editorial import admin_client, token_client
from tests.factories import ActorAliasFactory, ActorFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["jinping xi", "Xí Jinpíng", "XI  JINPING!", "Xi"])
def test_adding_a_duplicate_actor_warns_with_a_link(publisher, name):
    xi = ActorFactory(name="Xi Jinping", slug="xi-jinping")
    ActorAliasFactory(actor=xi, name="Xi")
    client = admin_client(publisher)
    data = {
        "name": name, "slug": "new-actor", "kind": "person", "country": "", "description": "", "wikidata_id": "",
        "aliases-TOTAL_FORMS": "0", "aliases-INITIAL_FORMS": "0",
        "affiliations-TOTAL_FORMS": "0", "affiliations-INITIAL_FORMS": "0",
    }  # fmt: skip
    response = client.post(reverse("admin:actors_actor_add"), data)
    assert response.status_code == 200
    error = response.context["adminform"].form.errors["name"][0]
    assert "An actor with a matching name or alias already exists" in error
    assert reverse("admin:actors_actor_change", args=[xi.pk]) in error
    response = client.post(reverse("admin:actors_actor_add"), {**data, "confirm_not_duplicate": "on"})
    assert response.status_code == 302
    assert Actor.objects.filter(slug="new-actor").exists()


def test_api_create_of_a_possible_duplicate_names_the_matches(publisher):
    ActorFactory(name="Xi Jinping", slug="xi-jinping")
    response = token_client(publisher).post(
        "/api/actors/", {"name": "Jinping Xi", "slug": "jinping-xi", "kind": "person"}, format="json"
    )
    assert (response.status_code, response["X-Possible-Duplicates"]) == (201, "xi-jinping")
