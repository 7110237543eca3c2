from django.db import migrations

from core.migration_ops import postgresql_only


class Migration(migrations.Migration):
    dependencies = [("events", "0002_seed_cameo_event_types")]

    operations = [
        # ?q= on events, quotes and sources: tsvector @@ websearch_to_tsquery.
        postgresql_only(
            "CREATE INDEX event_search_gin ON events_event USING gin (search_document)",
            "DROP INDEX IF EXISTS event_search_gin",
        ),
        postgresql_only(
            "CREATE INDEX quote_search_gin ON events_quote USING gin (search_document)",
            "DROP INDEX IF EXISTS quote_search_gin",
        ),
        postgresql_only(
            "CREATE INDEX source_search_gin ON events_source USING gin (search_document)",
            "DROP INDEX IF EXISTS source_search_gin",
        ),
    ]
