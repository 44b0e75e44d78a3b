"""The visit frequencies (走访频次) the programme starts with; the city edits them later in
the back office."""

from django.db import migrations

def add_rules(apps, schema_editor):
    from carepair.people import rules

    rules.load(apps.get_model("people", "VisitRule"))


def remove_rules(apps, schema_editor):
    from carepair.people import rules

    names = [r[0] for r in rules.RULES]
    apps.get_model("people", "VisitRule").objects.filter(name__in=names).delete()


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]

    operations = [migrations.RunPython(add_rules, remove_rules)]
