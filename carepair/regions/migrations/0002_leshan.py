"""Leshan city and its twelve county-level divisions: real codes, present in every
deployment. Townships and villages are loaded per deployment (or by the demo)."""

from django.db import migrations

from carepair.regions import leshan


def load(apps, schema_editor):
    leshan.load(apps.get_model("regions", "Region"))


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
