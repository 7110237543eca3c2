from django.db import migrations

# One GIN index over the read model's match columns (bench/README.md, "Read model: the tail"):
# an actor, words, a root type and a country, with btree_gin (shipped with PostgreSQL, trusted)
# for the two plain columns. A query that combines them is answered by one scan of this index,
# which intersects the posting lists as it reads them (GIN's "fast scan") instead of AND-ing a
# bitmap per condition. It replaces the two one-column GIN indexes, which it serves as well.
# Going back keeps the extension: something else may use it.
FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gin",
    "DROP INDEX IF EXISTS publicevent_actors_gin",
    "DROP INDEX IF EXISTS publicevent_search_gin",
    "CREATE INDEX publicevent_match_gin ON events_publicevent USING gin (actor_ids, search_document, type_root, country)",
    "ANALYZE events_publicevent",
]
BACKWARD = [
    "DROP INDEX IF EXISTS publicevent_match_gin",
    "CREATE INDEX publicevent_actors_gin ON events_publicevent USING gin (actor_ids)",
    "CREATE INDEX publicevent_search_gin ON events_publicevent USING gin (search_document)",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0011_public_read_model"),
    ]

    operations = [
        migrations.RunPython(run(FORWARD), run(BACKWARD), elidable=False),
    ]
