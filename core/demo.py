"""Demo content of one school (used by `seed_demo`): people, banks, consents, acts, roadmap."""

import random
from datetime import date, timedelta

from django.utils import timezone

from core.acts.models import ActKind, LocalAct
from core.acts.services import curator_order_generate, school_profile_update
from core.consents.models import Consent
from core.people.models import BankEntry, Category, Person, Request
from core.roadmap.models import RoadmapItem
from core.roadmap.services import roadmap_start_from_template
from tenants.models import School

LAST = [("Иванов", "Иванова"), ("Смирнов", "Смирнова"), ("Кузнецов", "Кузнецова"), ("Попов", "Попова"),
        ("Соколов", "Соколова"), ("Лебедев", "Лебедева"), ("Козлов", "Козлова"), ("Новиков", "Новикова"),
        ("Морозов", "Морозова"), ("Волков", "Волкова"), ("Фёдоров", "Фёдорова"), ("Ёлкин", "Ёлкина"),
        ("Орлов", "Орлова"), ("Андреев", "Андреева"), ("Макаров", "Макарова"), ("Зайцев", "Зайцева")]  # fmt: skip
MALE = ["Александр", "Дмитрий", "Максим", "Артём", "Иван", "Михаил", "Пётр", "Егор", "Кирилл", "Матвей"]
FEMALE = ["Анна", "Мария", "Елена", "Алёна", "Дарья", "Виктория", "Софья", "Полина", "Ксения", "Ольга"]
PATRONYMIC = [("Андреевич", "Андреевна"), ("Сергеевич", "Сергеевна"), ("Викторович", "Викторовна"),
              ("Николаевич", "Николаевна"), ("Олегович", "Олеговна"), ("Петрович", "Петровна")]  # fmt: skip
POSITIONS = ["учитель математики", "учитель русского языка и литературы", "учитель истории", "учитель физики",
             "учитель начальных классов", "педагог-психолог", "учитель английского языка"]  # fmt: skip


def _name(rng: random.Random) -> tuple[str, str, str]:
    female = rng.random() < 0.5
    last = rng.choice(LAST)[female]
    first = rng.choice(FEMALE if female else MALE)
    middle = rng.choice(PATRONYMIC)[female]
    return last, first, middle


def school_demo_fill(*, school: School, seed: int) -> bool:
    """Fill the current school's schema once; False when it already has people."""
    if Person.objects.exists():
        return False
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    today = timezone.localdate()
    teachers = []
    for i in range(8):
        last, first, middle = _name(rng)
        young = i < 3
        career = today - timedelta(days=rng.randint(200, 900) if young else rng.randint(2000, 9000))
        teachers.append(Person.objects.create(
            last_name=last, first_name=first, middle_name=middle, category=Category.TEACHER,
            position=rng.choice(POSITIONS), birth_date=today - timedelta(days=365 * (24 if young else rng.randint(30, 58))),
            career_start=career, hired_on=career, email=f"teacher{i + 1}@{school.slug}.ru",
        ))  # fmt: skip
    students = []
    for _ in range(16):
        last, first, middle = _name(rng)
        grade = rng.randint(5, 11)
        students.append(Person.objects.create(
            last_name=last, first_name=first, middle_name=middle, category=Category.STUDENT,
            school_class=f"{grade}{rng.choice('АБВ')}", birth_date=today - timedelta(days=365 * (grade + 6) + rng.randint(0, 300)),
        ))  # fmt: skip
    start = today - timedelta(days=60)
    for person in teachers[:7] + students[:13]:
        minor = person.category == Category.STUDENT and (today - person.birth_date).days < 18 * 365  # type: ignore[operator]
        rep = {}
        if minor:
            rep_last = person.last_name if person.last_name.endswith("а") else person.last_name + "а"
            rep = {"by_representative": True, "representative_last_name": rep_last,
                   "representative_first_name": rng.choice(FEMALE), "representative_relation": "мать",
                   "representative_document": f"паспорт 28{rng.randint(10, 99)} {rng.randint(100000, 999999)}"}  # fmt: skip
        for kind in Consent.Kind:
            Consent.objects.create(person=person, kind=kind, valid_from=start, **rep)
    for teacher in teachers[3:7]:
        BankEntry.objects.create(person=teacher, bank=BankEntry.Bank.MENTOR, status=BankEntry.Status.APPROVED,
                                 requests=[Request.ADAPTATION, Request.METHODS], capacity=2,
                                 competencies="методика преподавания, классное руководство", subjects=teacher.position)  # fmt: skip
    for teacher in teachers[:3]:
        BankEntry.objects.create(person=teacher, bank=BankEntry.Bank.MENTEE, requests=[Request.ADAPTATION])
    for student in students[:6]:
        BankEntry.objects.create(person=student, bank=BankEntry.Bank.MENTEE,
                                 requests=[rng.choice([Request.LOW_RESULTS, Request.GIFTED, Request.CAREER])])  # fmt: skip
    LocalAct.objects.create(kind=ActKind.ORDER_INTRODUCTION, number="112", date=date(today.year, 8, 30),
                            title="О внедрении целевой модели наставничества", status=LocalAct.Status.IN_FORCE)  # fmt: skip
    LocalAct.objects.create(kind=ActKind.POLICY_TEACHERS, number="113", date=date(today.year, 8, 30),
                            title="Об утверждении Положения о системе наставничества педагогических работников",
                            status=LocalAct.Status.IN_FORCE)  # fmt: skip
    LocalAct.objects.create(kind=ActKind.ROADMAP, number="114", date=date(today.year, 8, 30),
                            title="Об утверждении дорожной карты внедрения целевой модели наставничества",
                            status=LocalAct.Status.IN_FORCE)  # fmt: skip
    order = curator_order_generate(school=school, curator=teachers[6], on=date(today.year, 9, 1), actor=None)
    LocalAct.objects.filter(pk=order.pk).update(status=LocalAct.Status.IN_FORCE)
    roadmap_start_from_template(actor=None)
    for n, item in enumerate(RoadmapItem.objects.order_by("position")):
        item.due_date = start + timedelta(days=20 * n)
        item.status = RoadmapItem.Status.DONE if n < 4 else RoadmapItem.Status.PLANNED
        item.save(update_fields=["due_date", "status"])
    if seed % 2 == 0:
        school_profile_update(site_section_url=f"https://{school.slug}.edu.ru/nastavnichestvo", actor=None)
    return True
