"""`manage.py restore <path>`: replace the whole database with a backup (see core/backups.py)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from core import backups
from core.cache import bump_generation


class Command(BaseCommand):
    help = (
        "Replace everything in the database (DATABASE_URL) with a backup made by `manage.py backup`, "
        "in one transaction. Asks first unless --noinput."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="A backup made by `manage.py backup` on the same kind of database.")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args, path, interactive, **options):
        target = backups.describe(connection)
        # Every refusal comes before the question: nobody confirms a restore that cannot happen.
        backups.check_restorable(connection=connection, path=path)
        if interactive:
            answer = input(
                f"This replaces ALL data in the {target} with the contents of {path}.\n"
                "Everything written since that backup will be lost.\n\n"
                "Type 'yes' to continue, or anything else to cancel: "
            )
            if answer != "yes":
                raise CommandError("Restore cancelled; nothing was changed.")
        backups.restore(connection=connection, path=path)
        # Public responses cached before the restore describe rows that may no longer exist.
        bump_generation()
        self.stdout.write(self.style.SUCCESS(f"Restored the {target} from {path}."))
