"""Item 2 of the ИМЦ checklist says what seed 002 says: the act approving the Положение о системе
наставничества ПЕДАГОГИЧЕСКИХ РАБОТНИКОВ (the rule no longer accepts the students' Положение). Only the
wording of the seeded title changes, in every version that carries it; a title the region edited stays."""

from django.db import migrations

OLD = "Акт об утверждении положения о системе наставничества"
NEW = "Акт об утверждении положения о системе наставничества педагогических работников"


def forward(apps, schema_editor):
    apps.get_model("regional", "ChecklistItem").objects.filter(rule="policy_act", title=OLD).update(title=NEW)


def backward(apps, schema_editor):
    apps.get_model("regional", "ChecklistItem").objects.filter(rule="policy_act", title=NEW).update(title=OLD)


class Migration(migrations.Migration):
    dependencies = [("regional", "0016_catalogues_to_tenants")]
    operations = [migrations.RunPython(forward, backward)]
