"""The 8-item checklist the city ИМЦ checks (seed 002), as version 1."""

from django.db import migrations

ITEMS = [
    ("site_section", "Раздел «Наставничество» на официальном сайте", "site_section", False),
    ("policy_act", "Акт об утверждении положения о системе наставничества", "policy_act", False),
    ("roadmap_act", "Акт об утверждении дорожной карты", "roadmap_act", False),
    ("curator_order", "Акт о назначении куратора", "curator_order", False),
    ("pairs_order", "Акт о закреплении пар «наставник – наставляемый»", "pairs_order", False),
    ("mentor_bank", "Информационная база наставников", "mentor_bank", False),
    ("incentives_act", "Акт о мерах стимулирования наставников (при наличии)", "incentives_act", True),
    ("programmes", "Наличие персонализированных программ", "programmes", False),
]


def seed(apps, schema_editor):
    Template = apps.get_model("regional", "ChecklistTemplate")
    Item = apps.get_model("regional", "ChecklistItem")
    if Template.objects.exists():
        return
    template = Template.objects.create(version=1, title="Чек-лист ИМЦ: внедрение целевой модели наставничества",
                                       is_current=True)
    for position, (code, title, rule, optional) in enumerate(ITEMS, start=1):
        Item.objects.create(template=template, code=code, title=title, rule=rule, optional=optional, position=position)


class Migration(migrations.Migration):
    dependencies = [("regional", "0008_checklist_snapshots_rounds")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
