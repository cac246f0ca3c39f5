"""Programmes whose stage contradicts their status (a draft «результативный») get the nearest stage that
fits it, by the rule of core/programmes/stages.py (copied here: a migration must not change with the code)."""

from django.db import migrations

ORDER = ["preparatory", "design", "implementation", "reflection", "results"]
ALLOWED = {
    "draft": ("preparatory", "design"),
    "review": ("design",),
    "revision": ("design", "implementation", "reflection"),
    "approved": ("design", "implementation"),
    "running": ("implementation", "reflection"),
    "completed": ("reflection", "results"),
    "terminated": ("preparatory", "design", "implementation", "reflection"),
}


def fit(apps, schema_editor):
    Programme = apps.get_model("core", "Programme")
    for programme in Programme.objects.all():
        allowed = ALLOWED.get(programme.status)
        if not allowed or programme.stage in allowed:
            continue
        here = ORDER.index(programme.stage) if programme.stage in ORDER else 0
        programme.stage = min(allowed, key=lambda v: (abs(ORDER.index(v) - here), -ORDER.index(v)))
        programme.save(update_fields=["stage"])


class Migration(migrations.Migration):
    dependencies = [("core", "0012_programme_template_notes")]

    operations = [migrations.RunPython(fit, migrations.RunPython.noop)]
