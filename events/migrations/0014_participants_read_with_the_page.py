from django.db import migrations

from events import read_model

# The read model no longer copies its participants' names (events/read_model.py): who of them
# is shown, and how, is read from the actors with the page (events.selectors.with_participants),
# so that an actor's rename or withdrawal rewrites none of its events' rows. The triggers are
# installed again without those columns.
#
# Going back adds the two columns and fills them once from the actors; the triggers installed
# then are this module's, which do not keep them: the earlier code's are installed by running
# its events/read_model.py's create_triggers (as migration 0011 does).

FILL = {
    "postgresql": """UPDATE events_publicevent r SET participants = x.participants, participant_list = x.list
        FROM (SELECT r.id,
                jsonb_agg(jsonb_build_object('id', a.id, 'actor', a.slug, 'name', a.name, 'kind', a.kind,
                    'role', u.role) ORDER BY u.n) AS participants,
                string_agg(a.slug || ':' || u.role, ';' ORDER BY u.n) AS list
            FROM events_publicevent r, unnest(r.actor_ids, r.roles) WITH ORDINALITY AS u(actor_id, role, n)
            JOIN actors_actor a ON a.id = u.actor_id WHERE a.status = 'published' GROUP BY r.id) x
        WHERE r.id = x.id""",
    "sqlite": """UPDATE events_publicevent SET
        participants = (SELECT json_group_array(json_object('id', id, 'actor', slug, 'name', name, 'kind', kind,
            'role', role)) FROM (SELECT a.id, a.slug, a.name, a.kind,
                json_extract(events_publicevent.roles, '$[' || i.key || ']') AS role
            FROM json_each(events_publicevent.actor_ids) i JOIN actors_actor a ON a.id = i.value
            WHERE a.status = 'published' ORDER BY i.key)),
        participant_list = COALESCE((SELECT group_concat(slug || ':' || role, ';') FROM (SELECT a.slug,
                json_extract(events_publicevent.roles, '$[' || i.key || ']') AS role
            FROM json_each(events_publicevent.actor_ids) i JOIN actors_actor a ON a.id = i.value
            WHERE a.status = 'published' ORDER BY i.key)), '')""",
}


def uninstall(apps, schema_editor):
    for statement in read_model.drop_triggers(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def install(apps, schema_editor):
    for statement in read_model.create_triggers(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def fill_and_install(apps, schema_editor):
    schema_editor.execute(FILL[schema_editor.connection.vendor])
    install(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0013_change_log_judged_in_one_statement"),
    ]

    operations = [
        migrations.RunPython(uninstall, fill_and_install, elidable=False),
        migrations.RemoveField(model_name="publicevent", name="participants"),
        migrations.RemoveField(model_name="publicevent", name="participant_list"),
        migrations.RunPython(install, uninstall, elidable=False),
    ]
