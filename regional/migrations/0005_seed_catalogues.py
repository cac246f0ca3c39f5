"""Forms, role models, kinds of mentoring and reasons for ending (Р-145, seeds 001, 003, 004)."""

from django.db import migrations

FORMS = [
    ("student_student", "ученик – ученик", ["student"], ["student"],
     ["успевающий – неуспевающий", "лидер – пассивный", "равный – равному", "адаптированный – неадаптированный"]),
    ("teacher_teacher", "учитель – учитель (педагог – педагог)", ["teacher"], ["teacher"],
     ["опытный педагог – молодой специалист", "лидер педагогического сообщества – педагог, испытывающий затруднения",
      "педагог-новатор – консервативный педагог", "опытный предметник – неопытный предметник"]),
    ("teacher_student", "учитель – ученик", ["teacher"], ["student"],
     ["активный профессионал – равнодушный потребитель", "коллега – молодой коллега", "куратор – автор проекта",
      "педагог – неуспевающий ученик"]),
    ("student_pupil", "студент – ученик", ["external:student"], ["student"],
     ["успевающий – неуспевающий", "куратор – автор проекта", "равный – другому"]),
    ("employer_student", "работодатель – ученик", ["external:employer"], ["student"],
     ["активный профессионал – равнодушный потребитель", "работодатель – будущий сотрудник", "куратор – автор проекта"]),
    ("employer_college", "работодатель – студент", ["external:employer"], ["external:student", "graduate"],
     ["работодатель – будущий сотрудник", "активный профессионал – равнодушный потребитель"]),
    ("head_teacher", "руководитель ОО – педагог", ["teacher"], ["teacher"],
     ["руководитель – молодой специалист", "руководитель – педагог, испытывающий затруднения"]),
    ("lecturer_teacher", "педагог вуза/колледжа – молодой педагог", ["external:lecturer"], ["teacher"],
     ["опытный преподаватель – молодой специалист"]),
    ("partner_teacher", "социальный партнёр – педагог", ["external:partner"], ["teacher"],
     ["социальный партнёр – педагог"]),
]  # fmt: skip

KINDS = [
    ("traditional", "традиционное"), ("virtual", "виртуальное (дистанционное)"), ("group", "групповое"),
    ("short", "краткосрочное (целеполагающее)"), ("reverse", "реверсивное"), ("situational", "ситуационное"),
    ("speed", "скоростное консультационное"), ("flash", "флеш-наставничество"), ("partner", "партнёрское"),
]  # fmt: skip

REASONS = [
    ("completed", "завершение программы наставничества", False),
    ("mentor_request", "досрочно: по заявлению наставника", True),
    ("mentee_request", "досрочно: по заявлению наставляемого (его законного представителя)", True),
    ("improper", "досрочно: ненадлежащее исполнение обязанностей наставником", True),
    ("petition", "досрочно: ходатайство наставляемых (обучающихся)", True),
    ("leaving", "досрочно: увольнение, отчисление или перевод участника", True),
    ("consent_withdrawn", "досрочно: отзыв согласия участника", True),
]


def seed(apps, schema_editor):
    MentoringForm = apps.get_model("regional", "MentoringForm")
    RoleModel = apps.get_model("regional", "RoleModel")
    MentoringKind = apps.get_model("regional", "MentoringKind")
    EndReason = apps.get_model("regional", "EndReason")
    for position, (code, name, mentors, mentees, roles) in enumerate(FORMS, start=1):
        form, _ = MentoringForm.objects.get_or_create(
            code=code,
            defaults={"name": name, "mentor_categories": mentors, "mentee_categories": mentees, "position": position},
        )
        for role in roles:
            RoleModel.objects.get_or_create(form=form, name=role)
    for code, name in KINDS:
        MentoringKind.objects.get_or_create(code=code, defaults={"name": name})
    for code, name, early in REASONS:
        EndReason.objects.get_or_create(code=code, defaults={"name": name, "early": early})


class Migration(migrations.Migration):
    dependencies = [("regional", "0004_catalogues")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
