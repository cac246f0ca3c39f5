"""Demo content of one school (used by `seed_demo`): people, banks, consents, acts, roadmap."""

import random
from datetime import date, timedelta

from django.utils import timezone

from core.acts.models import ActKind, LocalAct
from core.acts.services import curator_order_generate, school_profile_update
from core.consents.models import Consent
from core.people.models import BankEntry, Category, Person
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
            # Signed before the earliest demo pair (300 days ago): the consent rule holds on every date.
            Consent.objects.create(person=person, kind=kind, valid_from=today - timedelta(days=320), **rep)
    for teacher in teachers[3:7]:
        BankEntry.objects.create(person=teacher, bank=BankEntry.Bank.MENTOR, status=BankEntry.Status.APPROVED,
                                 requests=["adaptation", "methods"], capacity=2,
                                 competencies="методика преподавания, классное руководство", subjects=teacher.position)  # fmt: skip
    for teacher in teachers[:3]:
        BankEntry.objects.create(person=teacher, bank=BankEntry.Bank.MENTEE, requests=["adaptation"])
    for student in students[:6]:
        BankEntry.objects.create(person=student, bank=BankEntry.Bank.MENTEE,
                                 requests=[rng.choice(["low_results", "gifted", "career"])])  # fmt: skip
    # The curator has looked at everyone in the demo banks: pairs take only approved people.
    BankEntry.objects.update(status=BankEntry.Status.APPROVED, approved_at=timezone.now())
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


def school_demo_mentoring(
    *, seed: int, mentor_user_id: int | None = None, mentee_user_id: int | None = None
) -> bool:
    """Pairs, programmes in every stage, meetings and questionnaires; False when the school has pairs."""
    from core.monitoring.models import SurveyResponse
    from core.pairs.models import Meeting, Pair, PairMember
    from core.programmes.models import Programme, ProgrammeTask
    from core.programmes.templates import plan_from_template, template_for
    from tenants.catalogues import RoleModel

    if Pair.objects.exists() or not Person.objects.exists():
        return False
    rng = random.Random(seed * 7)  # noqa: S311 - demo data
    today = timezone.localdate()
    mentors = [
        e.person for e in BankEntry.objects.filter(bank="mentor").select_related("person").order_by("pk")
    ]
    young = [
        e.person
        for e in BankEntry.objects.filter(bank="mentee", person__category="teacher").select_related("person")
    ]
    kids = [
        e.person
        for e in BankEntry.objects.filter(bank="mentee", person__category="student").select_related("person")
    ]
    consented = {p.pk for p in Person.objects.filter(consents__withdrawn_on__isnull=True).distinct()}
    kids = [k for k in kids if k.pk in consented]
    if mentor_user_id and mentors:
        Person.objects.filter(pk=mentors[0].pk).update(user_id=mentor_user_id)
    if mentee_user_id and kids:
        Person.objects.filter(pk=kids[0].pk).update(user_id=mentee_user_id)
    plans = [  # (form, mentor, mentees, start days ago, programme status, stage, ended)
        ("teacher_student", mentors[0], kids[:1], 80, "running", "implementation", False),
        ("teacher_teacher", mentors[1], young[:1], 120, "running", "reflection", False),
        ("teacher_teacher", mentors[2], young[1:2], 40, "review", "design", False),
        ("teacher_student", mentors[3], kids[1:3], 60, "approved", "design", False),
        ("teacher_teacher", mentors[1], young[2:3], 300, "completed", "results", True),
    ]
    stages_done = 0
    for form_code, mentor, mentees, days, status, stage, ended in plans:
        if not mentees:
            continue
        start = today - timedelta(days=days)
        role_model = RoleModel.objects.filter(form__code=form_code).order_by("pk").first()
        pair = Pair.objects.create(form_code=form_code, role_model_id=role_model.pk if role_model else 0,
                                   kind_code="traditional" if len(mentees) == 1 else "group", started_on=start,
                                   ended_on=today - timedelta(days=5) if ended else None,
                                   end_reason_code="completed" if ended else "",
                                   status=Pair.Status.ENDED if ended else Pair.Status.ACTIVE)  # fmt: skip
        PairMember.objects.create(pair=pair, person=mentor, role="mentor", since=start, until=pair.ended_on)
        for mentee in mentees:
            PairMember.objects.create(
                pair=pair, person=mentee, role="mentee", since=start, until=pair.ended_on
            )
        programme = Programme.objects.create(pair=pair, title=f"Персонализированная программа пары № {pair.pk}",
                                             starts_on=start, ends_on=start + timedelta(days=270),
                                             stage=stage, status=status,
                                             completed_on=pair.ended_on if status == "completed" else None)  # fmt: skip
        plan_from_template(
            programme=programme, template=template_for(form_code=form_code, role_model_id=pair.role_model_id)
        )
        for task in ProgrammeTask.objects.filter(section__programme=programme):
            done = task.due_date is not None and task.due_date < today
            if status in ("running", "completed") and done and rng.random() < 0.7:
                task.result = rng.choice(["full", "full", "partial", "exceeded"])
                task.mentor_assessment = "Задание выполнено, наставляемый активен"
                task.save(update_fields=["result", "mentor_assessment"])
        if days > 50:
            kinds = ["intro", "planning", "regular", "regular"][: 1 + days // 40]
            last = pair.ended_on or today - timedelta(days=3 * seed % 20)
            for n, kind in enumerate(kinds):
                when = start + (last - start) * (n + 1) / len(kinds)
                Meeting.objects.create(pair=pair, kind=kind, date=when, format=rng.choice(["in_person", "remote"]),
                                       hours=1, notes="Обсудили план и результаты")  # fmt: skip
        for member in pair.members.all():
            answers = {
                q: rng.randint(6, 10) for q in ("comfort", "usefulness", "support", "goals", "satisfaction")
            }
            if status in ("running", "completed"):
                code = "satisfaction_mentee" if member.role == "mentee" else "satisfaction_mentor"
                SurveyResponse.objects.create(
                    template_code=code, pair=pair, person=member.person, answers=answers
                )
            if member.role == "mentee":
                entry = {
                    q: rng.randint(3, 6)
                    for q in ("engagement", "activity", "self_esteem", "anxiety", "performance")
                }
                SurveyResponse.objects.create(template_code="personal_measures", pair=pair, person=member.person,
                                              phase="entry", answers=entry)  # fmt: skip
                if ended:
                    exit_ = {q: min(10, v + rng.randint(0, 3)) for q, v in entry.items()}
                    exit_["anxiety"] = max(1, entry["anxiety"] - 2)
                    SurveyResponse.objects.create(template_code="personal_measures", pair=pair, person=member.person,
                                                  phase="exit", answers=exit_)  # fmt: skip
        stages_done += 1
    BankEntry.objects.filter(person__pair_memberships__until__isnull=True).update(
        status=BankEntry.Status.IN_PAIR
    )
    return stages_done > 0
