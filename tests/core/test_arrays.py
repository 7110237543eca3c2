"""core.arrays.AmongIds: "one of these ids" as one parameter, on either database."""

import pytest

from actors.models import Actor
from core.arrays import AmongIds
from tests.factories import ActorFactory

pytestmark = pytest.mark.django_db


def test_among_ids_admits_exactly_the_given_ids_however_many():
    actors = [ActorFactory() for _ in range(4)]
    chosen = {actors[0].pk, actors[2].pk}
    # Ids of no row, past SQLite's 999 parameters a statement had before 3.32: one parameter here.
    asked = chosen | set(range(10**9, 10**9 + 5000))
    assert set(Actor.objects.filter(AmongIds("pk", asked)).values_list("pk", flat=True)) == chosen
    assert not Actor.objects.filter(AmongIds("pk", [])).exists()
