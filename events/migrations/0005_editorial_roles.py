"""The editorial roles as groups: Editor (drafts, review) and Publisher (also publish, withdraw,
restore, and edit what is public). Rules beyond permissions live in core/workflow.py."""

from django.db import migrations

CONTENT = [
    ("actors", "actor"),
    ("actors", "actoralias"),
    ("actors", "affiliation"),
    ("events", "event"),
    ("events", "participation"),
    ("events", "citation"),
    ("events", "source"),
    ("events", "quote"),
]
CORE = [("actors", "actor"), ("events", "event"), ("events", "source"), ("events", "quote")]


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    assign_roles(apps)


def assign_roles(apps):
    """The two groups with their permissions (which must exist)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def perms(pairs, actions):
        found = []
        for app_label, model in pairs:
            for action in actions:
                found.append(Permission.objects.get(content_type__app_label=app_label, codename=f"{action}_{model}"))
        return found

    editor_perms = perms(CONTENT, ["view", "add", "change", "delete"]) + [
        Permission.objects.get(content_type__app_label="events", codename="view_eventtype")
    ]
    editor, _ = Group.objects.get_or_create(name="Editor")
    editor.permissions.set(editor_perms)
    publisher, _ = Group.objects.get_or_create(name="Publisher")
    publisher.permissions.set(editor_perms + perms(CORE, ["publish"]))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editor", "Publisher"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("actors", "0003_history_versions_permissions"),
        ("events", "0004_history_versions_permissions"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
