from django.db import migrations

from events import read_model

# The read model no longer copies its participants' names (events/read_model.py): who of them
# is shown, and how, is read from the actors with the page (events.selectors.with_participants),
# so that an actor's rename or withdrawal rewrites none of its events' rows. The triggers are
# installed again without those columns.
#
# Not reversible (Django refuses to migrate back past it): the earlier triggers, which kept the two columns, are that code's
# (events/read_model.py before this migration), and this module's would leave the columns
# unwritten and every refresh failing on them. Going back means restoring a backup taken before
# (`make backup`), or running the earlier code's create_triggers after re-adding the columns.


def uninstall(apps, schema_editor):
    for statement in read_model.drop_triggers(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def install(apps, schema_editor):
    for statement in read_model.create_triggers(schema_editor.connection.vendor):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0013_change_log_judged_in_one_statement"),
    ]

    operations = [
        migrations.RunPython(uninstall, elidable=False),  # no way back: see above
        migrations.RemoveField(model_name="publicevent", name="participants"),
        migrations.RemoveField(model_name="publicevent", name="participant_list"),
        migrations.RunPython(install, uninstall, elidable=False),
    ]
