"""`manage.py backup [path]`: a consistent copy of the whole database (see core/backups.py)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from core import backups


class Command(BaseCommand):
    help = (
        "Write a consistent copy of the database: pg_dump's custom format on PostgreSQL, SQLite's "
        "online backup on SQLite. Default path: backups/relations-<UTC time>.dump (or .sqlite3)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="Where to write the backup; must not exist yet.")

    def handle(self, *args, path=None, **options):
        if not path:
            stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
            path = Path(settings.BASE_DIR) / "backups" / f"relations-{stamp}.{backups.extension(connection)}"
        size = backups.back_up(connection=connection, path=path)
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up the {backups.describe(connection)} to {path} ({filesizeformat(size).replace(chr(160), ' ')})."
            )
        )
