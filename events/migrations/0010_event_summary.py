"""EventExport is the public summary of an event: renamed in the code only. The table keeps its
name, which the triggers and migration 0007 use, so nothing in the database changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("events", "0009_public_change_log")]

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
    ]
