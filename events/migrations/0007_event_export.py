import django.db.models.deletion
from django.db import migrations, models

from events.migrations import _event_summary as public_summary


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in public_summary.create_triggers(vendor):
        schema_editor.execute(statement)
    # The rows of the events already stored (the triggers create those of later ones).
    schema_editor.execute(public_summary.fill_sql(vendor))


def uninstall(apps, schema_editor):
    for statement in public_summary.drop_triggers(schema_editor.connection.vendor):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("events", "0006_indexes_match_list_order"), ("actors", "0003_history_versions_permissions")]

    operations = [
        migrations.CreateModel(
            name="EventExport",
            fields=[
                (
                    "event",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="export",
                        serialize=False,
                        to="events.event",
                    ),
                ),
                ("participants", models.TextField(default="", help_text="slug:role of each published actor, by ;")),
                ("sources", models.TextField(default="", help_text="Ids of the published sources cited, by ;")),
                ("quote_count", models.PositiveIntegerField(default=0, help_text="Published quotes about the event.")),
            ],
        ),
        migrations.RunPython(install, uninstall, elidable=False),
    ]
