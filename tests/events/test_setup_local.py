import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from actors.models import Actor
from events.models import Event, Quote, Source

pytestmark = pytest.mark.django_db


def run_setup(capsys):
    call_command("setup_local")
    return capsys.readouterr().out


def test_setup_local_first_run_loads_seed_and_prints_a_fresh_password_once(capsys):
    first = run_setup(capsys)
    assert "Loaded the seed article: 24 actors, 26 events, 12 quotes, 1 sources." in first
    password = first.split("password: ")[1].split()[0]
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(password)
    assert len(password) >= 20

    second = run_setup(capsys)
    assert "password: " not in second
    assert password not in second
    assert "seed fixtures not loaded again" in second
    assert (Actor.objects.count(), Event.objects.count(), Quote.objects.count(), Source.objects.count()) == (
        24,
        26,
        12,
        1,
    )
    assert get_user_model().objects.count() == 1


def test_setup_local_passwords_differ_between_machines(capsys):
    first = run_setup(capsys).split("password: ")[1].split()[0]
    get_user_model().objects.all().delete()
    second = run_setup(capsys).split("password: ")[1].split()[0]
    assert first != second


def test_setup_local_keeps_an_editors_change_to_seed_data(capsys):
    run_setup(capsys)
    Actor.objects.filter(slug="wang-yi").update(description="Edited by an editor")
    run_setup(capsys)
    assert Actor.objects.get(slug="wang-yi").description == "Edited by an editor"
