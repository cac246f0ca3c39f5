"""Tasks built from a template before deadlines existed («учитель – учитель» had none) get one: task i of n
falls due at (i+1)/n of its programme's term, as programme_create does now, so overdue tasks can be counted.
Tasks that already have a deadline keep it."""

from datetime import timedelta

from django.db import migrations


def fill_deadlines(apps, schema_editor):
    Programme = apps.get_model("core", "Programme")
    ProgrammeTask = apps.get_model("core", "ProgrammeTask")
    for programme in Programme.objects.all():
        tasks = list(
            ProgrammeTask.objects.filter(section__programme=programme).order_by(
                "section__position", "section__pk", "position", "pk"
            )
        )
        span = (programme.ends_on - programme.starts_on).days
        for i, task in enumerate(tasks):
            if task.due_date is None:
                task.due_date = programme.starts_on + timedelta(days=span * (i + 1) // len(tasks))
                task.save(update_fields=["due_date"])


class Migration(migrations.Migration):
    dependencies = [("core", "0008_programme_plan_versions")]

    operations = [migrations.RunPython(fill_deadlines, migrations.RunPython.noop)]
