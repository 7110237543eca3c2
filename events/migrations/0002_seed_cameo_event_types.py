"""Seed the CAMEO event taxonomy: the 20 root codes and the finer codes the first sources need.

Codes, names, quad classes and Goldstein scores as in shared/data/cameo_event_types.csv.
Running it again updates the rows in place; reversing it removes only unused types.
"""

from decimal import Decimal

from django.db import migrations
from django.utils.text import slugify

# (code, parent code, name, quad class, default score)
CAMEO_EVENT_TYPES = [
    ("01", "", "Make public statement", "verbal_cooperation", "0.0"),
    ("02", "", "Appeal", "verbal_cooperation", "3.0"),
    ("03", "", "Express intent to cooperate", "verbal_cooperation", "4.0"),
    ("04", "", "Consult", "verbal_cooperation", "1.0"),
    ("05", "", "Engage in diplomatic cooperation", "verbal_cooperation", "3.5"),
    ("06", "", "Engage in material cooperation", "material_cooperation", "6.0"),
    ("07", "", "Provide aid", "material_cooperation", "7.0"),
    ("08", "", "Yield", "material_cooperation", "5.0"),
    ("09", "", "Investigate", "verbal_conflict", "-2.0"),
    ("10", "", "Demand", "verbal_conflict", "-5.0"),
    ("11", "", "Disapprove", "verbal_conflict", "-2.0"),
    ("12", "", "Reject", "verbal_conflict", "-4.0"),
    ("13", "", "Threaten", "verbal_conflict", "-4.4"),
    ("14", "", "Protest", "material_conflict", "-6.5"),
    ("15", "", "Exhibit force posture", "material_conflict", "-7.2"),
    ("16", "", "Reduce relations", "material_conflict", "-4.0"),
    ("17", "", "Coerce", "material_conflict", "-7.0"),
    ("18", "", "Assault", "material_conflict", "-9.0"),
    ("19", "", "Fight", "material_conflict", "-10.0"),
    ("20", "", "Use unconventional mass violence", "material_conflict", "-10.0"),
    ("041", "04", "Discuss by telephone", "verbal_cooperation", "1.0"),
    ("042", "04", "Make a visit", "verbal_cooperation", "1.9"),
    ("043", "04", "Host a visit", "verbal_cooperation", "2.8"),
    ("051", "05", "Praise or endorse", "verbal_cooperation", "3.4"),
    ("057", "05", "Sign formal agreement", "verbal_cooperation", "8.0"),
    ("062", "06", "Cooperate militarily", "material_cooperation", "7.4"),
    ("074", "07", "Provide military protection or peacekeeping", "material_cooperation", "8.5"),
    ("1312", "13", "Threaten with sanctions, boycott, embargo", "verbal_conflict", "-5.8"),
    ("154", "15", "Mobilize or increase armed forces", "material_conflict", "-7.2"),
    ("163", "16", "Impose embargo, boycott, or sanctions", "material_conflict", "-8.0"),
    ("192", "19", "Occupy territory", "material_conflict", "-9.5"),
]


def seed(apps, schema_editor):
    EventType = apps.get_model("events", "EventType")
    by_code = {}
    for code, parent, name, quad_class, score in CAMEO_EVENT_TYPES:
        event_type, _ = EventType.objects.update_or_create(
            code=code,
            defaults={
                "slug": slugify(name),
                "name": name,
                "quad_class": quad_class,
                "score": Decimal(score),
                "parent": by_code.get(parent),
            },
        )
        by_code[code] = event_type


def unseed(apps, schema_editor):
    EventType = apps.get_model("events", "EventType")
    codes = [row[0] for row in CAMEO_EVENT_TYPES]
    EventType.objects.filter(code__in=codes, events__isnull=True, parent__isnull=False).delete()
    EventType.objects.filter(code__in=codes, events__isnull=True, children__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
