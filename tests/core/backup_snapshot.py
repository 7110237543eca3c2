"""Everything a client or a copy of the database could tell apart: every page of the four API
lists, their CSV exports, and `dumpdata` of every table (history, users and drafts included).

tests/core/test_backup.py takes it in the test process for the original database, and runs
`python -m tests.core.backup_snapshot` with DATABASE_URL naming the restored one: a separate
process that knows only that database.
"""

import io
import json
import os
import sys

API_LISTS = ("events", "actors", "quotes", "sources")
ADDED_SOURCE_TITLE = "Written to the restored database"


def snapshot():
    from django.core.management import call_command
    from django.test import Client

    client = Client()
    api = {}
    for resource in API_LISTS:
        pages = []
        url = f"/api/{resource}/?page_size=2"  # small pages: the cursor is followed too
        while url:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code, response.content[:500])
            pages.append(response.json())
            url = pages[-1]["next"]
        export = client.get(f"/api/{resource}/?format=csv")
        assert export.status_code == 200, (resource, export.status_code)
        api[resource] = {"pages": pages, "csv": b"".join(export.streaming_content).decode()}
    dump = io.StringIO()
    call_command("dumpdata", all=True, stdout=dump)
    return {"api": api, "tables": json.loads(dump.getvalue())}


def add_source():
    """A write through the ORM: fails if the restore left the id sequences behind."""
    from core.publishing import Status
    from events.models import Source

    Source.objects.create(title=ADDED_SOURCE_TITLE, url="https://news.example/restored", status=Status.PUBLISHED)


def main():
    import django
    from django.test.utils import setup_test_environment

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relations_site.settings")
    django.setup()
    setup_test_environment()  # the test client's host, "testserver", is allowed
    before = snapshot()
    add_source()
    json.dump({"before": before, "after": snapshot()}, sys.stdout)


if __name__ == "__main__":
    main()
