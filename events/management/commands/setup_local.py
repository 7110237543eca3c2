"""First-run setup for a developer's machine: the seed article and a local admin account.

Safe to run again: the fixtures load only into an empty database (so an editor's
changes to seed entries are never overwritten), and the account is created once.
"""

import secrets

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from actors.models import Actor
from events.models import Event, Quote, Source

SEED_FIXTURE = "putin_xi_olympics"
ADMIN_USERNAME = "admin"


class Command(BaseCommand):
    help = "Load the seed article into an empty database and create a local admin account once."

    def handle(self, *args, **options):
        if any(model.objects.exists() for model in (Actor, Event, Quote, Source)):
            self.stdout.write("Database already has content: seed fixtures not loaded again.")
        else:
            call_command("loaddata", SEED_FIXTURE, verbosity=0)
            self.stdout.write(
                f"Loaded the seed article: {Actor.objects.count()} actors, {Event.objects.count()} events, "
                f"{Quote.objects.count()} quotes, {Source.objects.count()} sources."
            )

        User = get_user_model()
        if User.objects.filter(username=ADMIN_USERNAME).exists():
            self.stdout.write(
                f"Admin: http://127.0.0.1:8000/admin/ — user “{ADMIN_USERNAME}”, password as printed on the "
                f"first run (forgot it? .venv/bin/python manage.py changepassword {ADMIN_USERNAME})."
            )
            return
        password = secrets.token_urlsafe(15)
        User.objects.create_superuser(username=ADMIN_USERNAME, email="", password=password)
        self.stdout.write(
            self.style.SUCCESS(
                "\nCreated a local admin account. This password is shown only once:\n"
                f"  http://127.0.0.1:8000/admin/\n  user:     {ADMIN_USERNAME}\n  password: {password}\n"
            )
        )
