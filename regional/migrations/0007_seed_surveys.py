"""Monitoring questionnaires of seed 003 §10: stage 1 (quality, satisfaction) and stage 2 (personal measures)."""

from django.db import migrations


def q(code, text, kind="scale"):
    return {"code": code, "text": text, "kind": kind}


SURVEYS = [
    ("satisfaction_mentee", "Анкета удовлетворённости наставляемого", 1, "mentee", [
        q("comfort", "Насколько комфортно было общение с наставником?"),
        q("usefulness", "Насколько полезными были встречи?"),
        q("support", "Насколько вы ощущали поддержку наставника?"),
        q("goals", "Насколько удалось достичь поставленных целей?"),
        q("satisfaction", "Насколько вы в целом удовлетворены участием в программе?"),
        q("change", "Что бы вы изменили в программе?", "text"),
    ]),
    ("satisfaction_mentor", "Анкета удовлетворённости наставника", 1, "mentor", [
        q("comfort", "Насколько комфортно было работать с наставляемым?"),
        q("engagement", "Насколько наставляемый был вовлечён в работу?"),
        q("organisation", "Насколько хорошо была организована программа?"),
        q("satisfaction", "Насколько вы в целом удовлетворены участием в программе?"),
        q("change", "Что бы вы изменили в программе?", "text"),
    ]),
    ("process_curator", "Оценка куратором качества работы пары", 1, "curator", [
        q("regularity", "Регулярность встреч"),
        q("plan", "Выполнение персонализированной программы"),
        q("cooperation", "Качество взаимодействия наставника и наставляемого"),
        q("notes", "Комментарий", "text"),
    ]),
    ("personal_measures", "Личностные показатели (на входе и на выходе)", 2, "participant", [
        q("engagement", "Вовлечённость"),
        q("activity", "Активность"),
        q("self_esteem", "Самооценка"),
        q("anxiety", "Тревожность"),
        q("performance", "Успеваемость (для педагога — результативность)"),
    ]),
]  # fmt: skip


def seed(apps, schema_editor):
    SurveyTemplate = apps.get_model("regional", "SurveyTemplate")
    for code, title, stage, audience, questions in SURVEYS:
        SurveyTemplate.objects.get_or_create(
            code=code, defaults={"title": title, "stage": stage, "audience": audience, "questions": questions}
        )


class Migration(migrations.Migration):
    dependencies = [("regional", "0006_survey_templates")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
