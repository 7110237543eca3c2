from django.db import migrations

from core.migration_ops import postgresql_only


class Migration(migrations.Migration):
    dependencies = [("actors", "0001_initial")]

    operations = [
        # ?q= on actors: their names and descriptions, and their aliases.
        postgresql_only(
            "CREATE INDEX actor_search_gin ON actors_actor USING gin (search_document)",
            "DROP INDEX IF EXISTS actor_search_gin",
        ),
        postgresql_only(
            "CREATE INDEX actor_alias_search_gin ON actors_actoralias USING gin (search_document)",
            "DROP INDEX IF EXISTS actor_alias_search_gin",
        ),
    ]
