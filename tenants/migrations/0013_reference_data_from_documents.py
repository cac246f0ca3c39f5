"""Reference data as the source documents give it (issue 12, «Reference data from the seeds»).

Existing rows are kept with their ids (pairs refer to role models by id, bank entries to requests by code):
this only adds what the documents name and the product lacked, records where each entry comes from, and
marks what no document names (an empty ``source``). Two role models that no document puts under their form
(«куратор – автор проекта» under «учитель – ученик» and under «работодатель – ученик»; the documents have it
under «студент – ученик» and «старший ученик – младший ученик») are switched off, not deleted: a pair that
already uses one keeps it, the region can switch it back on.
"""

from django.db import migrations
from django.db.models import F

S001 = "Региональная целевая модель наставничества (Удмуртия)"
S002 = "Мониторинг ИМЦ г. Сургута: наставничество педагогических работников"
S003 = "Программа наставничества МОУ СОШ № 14 г. Твери, 2024–2028"
S004 = "Партнёрское наставничество, МБОУ СОШ № 55 (Р-145)"


def _join(*sources):
    return "; ".join(sources)


# form code: (source of the form, mentor categories to add, mentee categories to add)
FORMS = {
    "student_student": (_join(S001, S003, S004), [], []),
    "teacher_teacher": (_join(S001, S002, S003, S004), [], []),
    "teacher_student": (_join(S003, S004), [], []),
    # Seed 003 takes mentors «из числа … выпускников» (external contour): a graduate studying at a college
    # mentors a pupil like a student does.
    "student_pupil": (S001, ["graduate"], []),
    # Seed 003: «родителей обучающихся – активных участников родительских советов», «выпускников,
    # заинтересованных в поддержке своей школы», «успешных профессионалов … сотрудников предприятий».
    "employer_student": (S001, ["parent", "graduate"], []),
    "employer_college": (_join(S001, S002), [], []),
    "head_teacher": (S002, [], []),
    "lecturer_teacher": (S002, [], []),
    "partner_teacher": (S002, [], []),
}

NEW_FORM = ("senior_junior", "старший ученик – младший ученик", ["student"], ["student"], S004)

# (form code, role model, source); an existing row only gets its source, a missing one is created.
ROLE_MODELS = [
    ("student_student", "успевающий – неуспевающий", _join(S001, S003, S004)),
    ("student_student", "лидер – пассивный", _join(S001, S003, S004)),
    ("student_student", "равный – равному", _join(S001, S003, S004)),
    ("student_student", "адаптированный – неадаптированный", S003),
    ("student_student", "ученик с ОВЗ – ученик", S003),
    ("teacher_teacher", "опытный педагог – молодой специалист", _join(S001, S003, S004)),
    ("teacher_teacher", "лидер педагогического сообщества – педагог, испытывающий затруднения", _join(S001, S004)),
    ("teacher_teacher", "педагог-новатор – консервативный педагог", _join(S001, S004)),
    ("teacher_teacher", "опытный предметник – неопытный предметник", _join(S001, S004)),
    ("teacher_teacher", "равный – равному", S004),
    ("teacher_student", "активный профессионал – равнодушный потребитель", S004),
    ("teacher_student", "коллега – молодой коллега", S004),
    ("teacher_student", "педагог – неуспевающий ученик", S003),
    ("teacher_student", "учитель – одарённый ученик", S003),
    ("teacher_student", "классный руководитель – ученик", S003),
    ("teacher_student", "социальный педагог – ученик", S003),
    ("teacher_student", "мастер – ученик", S003),
    ("teacher_student", "ответственный по профориентации – ученик", S003),
    ("teacher_student", "работодатель – будущий сотрудник", S004),
    ("student_pupil", "успевающий – неуспевающий", S001),
    ("student_pupil", "лидер – равнодушный", S001),
    ("student_pupil", "равный – другому", S001),
    ("student_pupil", "куратор – автор проекта", S001),
    ("employer_student", "активный профессионал – равнодушный потребитель", S001),
    ("employer_student", "коллега – молодой коллега", S001),
    ("employer_student", "работодатель – будущий студент", S001),
    ("senior_junior", "успевающий – неуспевающий", S004),
    ("senior_junior", "лидер – равнодушный", S004),
    ("senior_junior", "равный – равному", S004),
    ("senior_junior", "куратор – автор проекта", S004),
]  # fmt: skip

# Named by no document under this form: off for new pairs (kept for pairs that use them).
SWITCHED_OFF = [
    ("teacher_student", "куратор – автор проекта"),
    ("employer_student", "куратор – автор проекта"),
]

# (code, name, audience, source). The first twelve codes are the ones bank entries already hold.
REQUESTS = [
    ("adaptation", "адаптация молодого педагога (молодой специалист)", "teachers", _join(S001, S003)),
    ("new_workplace", "адаптация на новом месте работы", "teachers", S003),
    ("burnout", "профилактика профессионального выгорания, хроническая усталость", "teachers", _join(S001, S003)),
    ("digital", "цифровые навыки, современные программы, IT-технологии", "teachers", _join(S001, S003)),
    ("new_technologies", "внедрение новых образовательных технологий", "teachers", S001),
    ("team_support", "командное сопровождение", "teachers", S001),
    ("competitions", "конкурсное движение", "teachers", S001),
    ("prof_growth", "профессиональный рост педагога", "teachers", S001),
    ("teacher_motivation", "отсутствие мотивации", "teachers", S001),
    ("turnover", "закрепление в профессии (текучесть кадров)", "teachers", S001),
    ("methods", "методическая помощь", "teachers", ""),
    ("subject", "предметные компетенции", "any", ""),
    ("iot", "выбор индивидуальной образовательной траектории (ИОТ)", "students", S001),
    ("gifted", "одарённость: выдающиеся способности", "students", _join(S001, S003)),
    ("low_results", "низкие (неудовлетворительные) образовательные результаты", "students", _join(S001, S003)),
    ("motivation", "утрата мотивации к обучению", "students", S001),
    ("ovz", "ограниченные возможности здоровья (ОВЗ)", "students", _join(S001, S003)),
    ("hardship", "трудная жизненная ситуация", "students", S003),
    ("behaviour", "проблемы с поведением", "students", S003),
    ("disengaged", "не участвует в жизни школы, отстранён от коллектива", "students", S003),
    ("adaptation_pupil", "трудности адаптации", "students", S001),
    ("psych_barriers", "преодоление психологических барьеров", "students", S001),
    ("civic", "формирование активной гражданской позиции", "students", S001),
    ("career", "профориентация, профессиональная карьера", "students", _join(S001, S003)),
    ("projects", "проектная и исследовательская деятельность", "students", ""),
    ("leadership", "лидерские и коммуникативные навыки", "students", ""),
]  # fmt: skip


def forward(apps, schema_editor):
    MentoringForm = apps.get_model("tenants", "MentoringForm")
    RoleModel = apps.get_model("tenants", "RoleModel")
    BankRequest = apps.get_model("tenants", "BankRequest")
    for code, (source, mentors, mentees) in FORMS.items():
        form = MentoringForm.objects.filter(code=code).first()
        if form is None:
            continue
        form.source = source
        form.mentor_categories = [*form.mentor_categories, *(c for c in mentors if c not in form.mentor_categories)]
        form.mentee_categories = [*form.mentee_categories, *(c for c in mentees if c not in form.mentee_categories)]
        form.save(update_fields=["source", "mentor_categories", "mentee_categories"])
    code, name, mentors, mentees, source = NEW_FORM
    if not MentoringForm.objects.filter(code=code).exists():
        # Placed right after «ученик – ученик», the form it refines (seed 004, project 3).
        after = MentoringForm.objects.filter(code="student_student").values_list("position", flat=True).first() or 1
        MentoringForm.objects.filter(position__gt=after).update(position=F("position") + 1)
        MentoringForm.objects.create(
            code=code, name=name, mentor_categories=mentors, mentee_categories=mentees, position=after + 1,
            source=source,
        )  # fmt: skip
    forms = {f.code: f for f in MentoringForm.objects.all()}
    for form_code, name, source in ROLE_MODELS:
        form = forms.get(form_code)
        if form is None:
            continue
        role_model, created = RoleModel.objects.get_or_create(form=form, name=name, defaults={"source": source})
        if not created and not role_model.source:
            role_model.source = source
            role_model.save(update_fields=["source"])
    for form_code, name in SWITCHED_OFF:
        RoleModel.objects.filter(form__code=form_code, name=name, source="").update(is_active=False)
    for position, (code, name, audience, source) in enumerate(REQUESTS, start=1):
        BankRequest.objects.update_or_create(
            code=code, defaults={"name": name, "audience": audience, "position": position, "source": source}
        )


class Migration(migrations.Migration):
    # After regional 0005 seeded the forms and role models this completes (0016: the last regional step).
    dependencies = [("tenants", "0012_bank_requests_and_sources"), ("regional", "0016_catalogues_to_tenants")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
