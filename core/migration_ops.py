"""Migration helpers for what only PostgreSQL has."""

from django.db import migrations


def postgresql_only(sql, reverse_sql):
    """A RunPython that runs ``sql`` on PostgreSQL and does nothing on SQLite (which has no GIN)."""

    def forward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    def backward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(reverse_sql)

    return migrations.RunPython(forward, backward)
