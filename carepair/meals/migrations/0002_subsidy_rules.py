"""The subsidy standards the programme starts with; the city adds new versions later."""

from django.db import migrations


def add_rules(apps, schema_editor):
    from carepair.meals import rules

    rules.load(apps.get_model("meals", "SubsidyRule"))


def remove_rules(apps, schema_editor):
    from carepair.meals import rules

    names = [r[0] for r in rules.RULES]
    apps.get_model("meals", "SubsidyRule").objects.filter(name__in=names).delete()


class Migration(migrations.Migration):
    dependencies = [("meals", "0001_initial")]

    operations = [migrations.RunPython(add_rules, remove_rules)]
