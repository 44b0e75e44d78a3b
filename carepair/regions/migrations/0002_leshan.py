"""Leshan city and its twelve county-level divisions: real codes, present in every
deployment. Townships and villages are loaded per deployment (or by the demo)."""

from django.db import migrations

from carepair.regions.leshan import CITY, COUNTIES


def load(apps, schema_editor):
    Region = apps.get_model("regions", "Region")
    city, _ = Region.objects.update_or_create(
        code=CITY[0], defaults={"name": CITY[1], "level": 1, "parent": None}
    )
    for code, name in COUNTIES:
        Region.objects.update_or_create(
            code=code, defaults={"name": name, "level": 2, "parent": city}
        )


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
