"""The actors admin: an Editor's inline rows follow the rights on both entries they link."""

import pytest
from django.urls import reverse

from core.publishing import Status
from tests.editorial import admin_client
from tests.factories import ActorFactory

pytestmark = pytest.mark.django_db


def test_an_editor_cannot_affiliate_a_draft_person_with_a_published_organization_inline(group_editor):
    """The affiliation shows on the organization's page too: the inline asks what the
    affiliation's own admin page asks (both sides editable)."""
    from actors.models import Affiliation
    from tests.factories import StateFactory

    china = StateFactory(name="China", slug="china")
    person = ActorFactory(status=Status.DRAFT, name="Draft Person", slug="draft-person")
    data = {
        "name": person.name, "confirm_not_duplicate": "on", "slug": person.slug, "kind": person.kind,
        "country": "", "description": "", "wikidata_id": "", "expected_version": person.version,
        "change_reason": "",
        "aliases-TOTAL_FORMS": "0", "aliases-INITIAL_FORMS": "0",
        "affiliations-TOTAL_FORMS": "1", "affiliations-INITIAL_FORMS": "0",
        "affiliations-0-organization": china.pk, "affiliations-0-title": "Envoy", "affiliations-0-person": person.pk,
    }  # fmt: skip
    response = admin_client(group_editor).post(reverse("admin:actors_actor_change", args=[person.pk]), data)
    assert response.status_code == 200
    assert "Only a Publisher may change what the published “China” shows." in response.content.decode()
    assert not Affiliation.objects.exists()
