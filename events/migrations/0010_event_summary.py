"""EventExport is the public summary of an event: renamed in the code only. The table keeps its
name, which the triggers and migration 0007 use, so nothing in the database changes. Its
permissions (which nobody is given: the triggers write it) follow the new name, so that none
is left behind under the old one."""

import django.db.models.deletion
from django.db import migrations, models


def rename_permissions(apps, schema_editor, old="eventexport", new="eventsummary"):
    Permission = apps.get_model("auth", "Permission")
    for permission in Permission.objects.filter(codename__endswith=f"_{old}"):
        permission.codename = permission.codename.replace(old, new)
        permission.name = permission.name.replace("event export", "event summary")
        permission.save(update_fields=["codename", "name"])


def restore_permissions(apps, schema_editor):
    rename_permissions(apps, schema_editor, old="eventsummary", new="eventexport")


class Migration(migrations.Migration):
    dependencies = [("events", "0009_public_change_log"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [
        migrations.AlterModelTable(name="eventexport", table="events_eventexport"),
        migrations.RenameModel(old_name="EventExport", new_name="EventSummary"),
        migrations.AlterField(
            model_name="eventsummary",
            name="event",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                primary_key=True,
                related_name="public_summary",
                serialize=False,
                to="events.event",
            ),
        ),
        migrations.RunPython(rename_permissions, restore_permissions),
    ]
