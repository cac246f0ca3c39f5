"""Demo region: 3 municipalities, 12 schools, a user for every role. Safe to run again.

It lives in ``regional`` because it composes every layer below the region: the platform's onboarding
(``tenants``), each school's demo content (``core.demo``), the region's snapshots with a dated past, and
one run of the daily reminders.
"""

import random
from datetime import datetime, time, timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tenants.utils import schema_context

from core.demo import school_demo_fill, school_demo_mentoring
from core.facts import DONE, NA, NOT_DONE, STATE_LABELS
from core.notifications.jobs import reminders_daily_task
from regional.checklist.history import percent_at, snapshots_at
from regional.checklist.snapshots import checklist_current, items_totals, snapshot_refresh_pending
from regional.models import InspectionRound, InspectionVerdict, SchoolSnapshotVersion
from regional.notifications import rounds_remind
from regional.rounds import round_create, round_items, verdict_set
from tenants.models import Municipality, RegionSettings, Role, School, User
from tenants.onboarding import school_onboard, school_provision
from tenants.schema_names import school_host
from tenants.services import audit_record, membership_grant
from tenants.urls_util import site_url
from tenants.validators import inn_complete, ogrn_complete

DEMO_PASSWORD = "Nastavnik-2026"  # noqa: S105 - printed on purpose: demo logins for a local run

MUNICIPALITIES = [
    ("Тверь", "28701000", "МБУ «Информационно-методический центр» г. Твери"),
    ("Конаковский муниципальный округ", "28630000", "Методический центр Конаковского округа"),
    ("Ржевский муниципальный округ", "28648000", "Ржевский районный методический кабинет"),
]

SCHOOLS = [
    # (municipality index, full name, short name, slug, kind, ИНН)
    (0, "Муниципальное общеобразовательное учреждение «Средняя общеобразовательная школа № 14»",
     "МОУ СОШ № 14", "tver-sosh14", School.Kind.GENERAL, "6901043230"),
    (0, "Муниципальное общеобразовательное учреждение «Средняя школа № 55»",
     "МОУ СШ № 55", "tver-sosh55", School.Kind.GENERAL, "6902029030"),
    (0, "Муниципальное общеобразовательное учреждение «Тверской лицей»",
     "МОУ «Тверской лицей»", "tver-licey", School.Kind.GENERAL, "6905011340"),
    (0, "Муниципальное бюджетное учреждение дополнительного образования «Дворец творчества детей и молодёжи»",
     "МБУ ДО ДТДиМ", "tver-dtdm", School.Kind.ADDITIONAL, "6901001590"),
    (0, "Государственное бюджетное профессиональное образовательное учреждение «Тверской колледж сервиса и туризма»",
     "ГБП ОУ ТКСиТ", "tver-kst", School.Kind.VOCATIONAL, "6902011610"),
    (1, "Муниципальное бюджетное общеобразовательное учреждение «Конаковская средняя общеобразовательная школа № 1»",
     "МБОУ Конаковская СОШ № 1", "konakovo-sosh1", School.Kind.GENERAL, "6911006312"),
    (1, "Муниципальное бюджетное общеобразовательное учреждение «Редкинская средняя общеобразовательная школа»",
     "МБОУ Редкинская СОШ", "redkino-sosh", School.Kind.GENERAL, "6911007980"),
    (1, "Муниципальное бюджетное общеобразовательное учреждение «Козловская средняя школа»",
     "МБОУ Козловская СШ", "kozlovo-sosh", School.Kind.GENERAL, "6911010510"),
    (1, "Муниципальное бюджетное учреждение дополнительного образования «Дом детского творчества»",
     "МБУ ДО ДДТ Конаково", "konakovo-ddt", School.Kind.ADDITIONAL, "6911011130"),
    (2, "Муниципальное общеобразовательное учреждение «Средняя общеобразовательная школа № 1 им. А. С. Пушкина»",
     "МОУ СОШ № 1 г. Ржева", "rzhev-sosh1", School.Kind.GENERAL, "6914004501"),
    (2, "Муниципальное общеобразовательное учреждение «Есинская основная общеобразовательная школа»",
     "МОУ Есинская ООШ", "esinka-oosh", School.Kind.GENERAL, "6914007830"),
    (2, "Государственное бюджетное профессиональное образовательное учреждение «Ржевский колледж»",
     "ГБПОУ «Ржевский колледж»", "rzhev-college", School.Kind.VOCATIONAL, "6914001620"),
]  # fmt: skip

# (e-mail, role, ФИО, school slug or municipality index)
PEOPLE: list[tuple[str, str, tuple[str, str, str], str | int | None]] = [
    ("admin@nastavnik.test", Role.REGIONAL_ADMIN, ("Соколова", "Ирина", "Валерьевна"), None),
    ("imc.tver@nastavnik.test", Role.INSPECTOR, ("Кучеренко", "Елена", "Сергеевна"), 0),
    ("imc.konakovo@nastavnik.test", Role.INSPECTOR, ("Белов", "Артём", "Николаевич"), 1),
    ("director@sosh14.test", Role.SCHOOL_ADMIN, ("Громова", "Наталья", "Петровна"), "tver-sosh14"),
    ("curator@sosh14.test", Role.CURATOR, ("Ёлкина", "Светлана", "Игоревна"), "tver-sosh14"),
    ("mentor@sosh14.test", Role.MENTOR, ("Васильев", "Дмитрий", "Андреевич"), "tver-sosh14"),
    ("mentee@sosh14.test", Role.MENTEE, ("Корнеева", "Анна", "Олеговна"), "tver-sosh14"),
    ("curator@sosh55.test", Role.CURATOR, ("Михайлова", "Ольга", "Викторовна"), "tver-sosh55"),
    ("curator@konakovo1.test", Role.CURATOR, ("Фёдоров", "Павел", "Сергеевич"), "konakovo-sosh1"),
]

# The demo's schools look onboarded this many days before the run, so the region's past-date view, round
# trends and «archived since» have a past to show; the checklist history gets a version this many days ago,
# with this share (a range, varied per school) of today's done items already done.
ONBOARDED_DAYS_AGO = 90
HISTORY_STEPS = ((60, (0.25, 0.45)), (30, (0.55, 0.8)))


def demo_history_backfill(*, school: School, seed: int) -> bool:
    """A school onboarded today by this command gets a past: ``created_at`` 90 days back and dated versions.

    Demo data only, written by ``seed_demo`` alone. Today's figures stay those of the real refresh (the
    latest version and the snapshot row are not touched). The past is made of two real evaluations of this
    school: the first version (written at provisioning, the school still empty) moves to the backdated
    onboarding, and each version in between takes, in the checklist's order, a share of today's done items
    as they are today and every other item as in the empty school; done/applicable/percent are computed from
    those items as a refresh computes them. Their counts (people, pairs) are today's: the demo's people and
    pairs date from before the onboarding. False (nothing written) for a school that already has a past,
    so a second run adds nothing.
    """
    now = timezone.now()
    start_of_today = timezone.make_aware(datetime.combine(timezone.localdate(now), time.min))
    if school.created_at < start_of_today:
        return False
    versions = SchoolSnapshotVersion.objects.filter(school=school)
    if versions.filter(valid_from__lt=start_of_today).exists():
        return False
    latest = versions.order_by("-valid_from").first()
    if latest is None:
        return False
    first = versions.order_by("valid_from").first()
    onboarded = school.created_at - timedelta(days=ONBOARDED_DAYS_AGO)
    empty: dict[str, Any] = {}
    with transaction.atomic():
        School.objects.filter(pk=school.pk).update(
            created_at=F("created_at") - timedelta(days=ONBOARDED_DAYS_AGO)
        )
        if first is not None and first.pk != latest.pk:  # the empty school's version: now its onboarding day
            SchoolSnapshotVersion.objects.filter(pk=first.pk).update(valid_from=onboarded)
            empty = first.items
        order = [i.code for i in checklist_current().items.all()]
        done_today = [c for c in order if latest.items.get(c, {}).get("state") == DONE]
        rng = random.Random(seed)  # demo data, not security
        for days_ago, (low, high) in HISTORY_STEPS:
            done_then = set(done_today[: round(len(done_today) * rng.uniform(low, high))])
            items = {}
            for code, item in latest.items.items():
                if code in done_then:
                    items[code] = item
                elif code in empty:
                    items[code] = empty[code]
                elif item["state"] == DONE:  # no empty version to take it from: not done, without evidence
                    items[code] = {**item, "state": NOT_DONE, "label": STATE_LABELS[NOT_DONE], "evidence": {},
                                   "text": ""}  # fmt: skip
                else:
                    items[code] = item
            SchoolSnapshotVersion.objects.create(
                school=school, valid_from=now - timedelta(days=days_ago), template_version=latest.template_version,
                items=items, counts=latest.counts, active=latest.active, **items_totals(items),
            )  # fmt: skip
    return True


# The demo inspector's rounds (municipality 0, Тверь): one finished, one under way, in days before the run.
ROUNDS_INSPECTOR = "imc.tver@nastavnik.test"
# (title, started this many days before the run, due this many days before it: negative, after it)
FINISHED_ROUND = ("Мониторинг внедрения целевой модели наставничества, I этап", 45, 15)
CURRENT_ROUND = ("Мониторинг внедрения целевой модели наставничества, II этап", 5, -10)
# Days before the run each school of the finished round was reviewed (by short name order), all in its period.
FINISHED_REVIEWED = (40, 34, 28, 22, 18)
FINISHED_REMARKS = ("tver-sosh14", "tver-licey")  # a remark on an item not done when reviewed
CURRENT_CONFIRMED = {"tver-sosh14": (2, 3), "tver-licey": (1, 2)}  # slug: (days ago, done items confirmed)
REMARK_COMMENTS = {
    "site_section": "На официальном сайте нет раздела «Наставничество»: разместите положение, дорожную карту "
    "и контакты куратора.",
    "policy_act": "Положение о системе наставничества не утверждено: представьте приказ с датой и номером.",
    "roadmap_act": "Дорожная карта не утверждена приказом: приложите приказ к следующему отчёту.",
    "curator_order": "Нет приказа о назначении куратора наставничества.",
    "pairs_order": "Пары «наставник – наставляемый» не закреплены приказом.",
    "mentor_bank": "База наставников не заполнена: внесите наставников с их компетенциями.",
    "incentives_act": "Меры стимулирования наставников не закреплены локальным актом.",
    "programmes": "Не у всех пар есть персонализированные программы наставничества.",
}


def _items_then(school_id: int, moment: datetime) -> dict[str, Any] | None:
    """The school's checklist items as its dated history has them at ``moment`` (None: no data yet)."""
    version = snapshots_at(moment, school_ids=[school_id]).first()
    return version.items if version is not None else None


def demo_rounds(*, municipality: Municipality) -> tuple[int, int]:
    """The demo inspector's two rounds over the municipality's schools: (rounds, verdicts) created.

    Demo data only, written by ``seed_demo`` right after the schools' dated history, and only when the
    municipality has no round yet (a second run adds nothing). Every verdict's automatic state is what the
    school's dated history says at the moment it is dated, so the round pages, their trend (round_trend reads
    the same history) and the analytical note agree with the compliance view's past.

    The round under way goes through the inspector's own services (round_create, verdict_set: validation,
    audit, its start and verdicts notified to the schools), then its start and decisions are moved back:
    neither service takes a date, and ``created_at``/``decided_at`` are set by the database on write. The
    finished round is written as those services write it (the same fields, the schools active at its start,
    its baseline from the history then, an audit event per row) but without their notifications: they would
    arrive today, and be e-mailed, announcing a start and remarks weeks old.
    """
    if InspectionRound.objects.filter(municipality=municipality).exists():
        return 0, 0
    inspector = User.objects.get(email=ROUNDS_INSPECTOR)
    now = timezone.now()
    today = timezone.localdate(now)
    verdicts = 0
    with transaction.atomic():
        title, started_days, due_days = FINISHED_ROUND
        started = now - timedelta(days=started_days)
        schools = list(
            School.objects.filter(
                municipality=municipality, status=School.Status.ACTIVE, created_at__lt=started
            )
        )
        finished = InspectionRound.objects.create(
            title=title, municipality=municipality, due_date=today - timedelta(days=due_days),
            created_by=inspector, template_version=checklist_current().version,
            baseline_percent=percent_at(started, school_ids=[s.pk for s in schools]),
        )  # fmt: skip
        InspectionRound.objects.filter(pk=finished.pk).update(created_at=started)
        finished.schools.set(schools)
        audit_record(actor=inspector, action="round.create", obj=finished)
        items = round_items(finished)
        remarked: set[str] = set()
        reviewed = zip(sorted(schools, key=lambda s: s.short_name), FINISHED_REVIEWED, strict=False)
        for school, days_ago in reviewed:
            decided = now - timedelta(days=days_ago)
            then = _items_then(school.pk, decided)
            if then is None:  # no data at the time: left unreviewed, as an inspector would
                continue
            open_items = [i.code for i in items if then.get(i.code, {}).get("state") not in (DONE, NA, None)]
            # Each remark on another item where it can be: the note's table then shows more than one.
            open_items.sort(key=lambda code: code in remarked)
            remark_on = open_items[0] if open_items and school.slug in FINISHED_REMARKS else None
            if remark_on:
                remarked.add(remark_on)
            for item in items:
                state = then.get(item.code, {}).get("state", "")
                if item.code == remark_on:
                    verdict = InspectionVerdict.Verdict.REMARK
                    comment = REMARK_COMMENTS.get(item.code, "Пункт не выполнен: представьте документы.")
                else:  # the inspector confirms what the rule says, done or not
                    verdict = (
                        InspectionVerdict.Verdict.NOT_APPLICABLE
                        if state == NA
                        else InspectionVerdict.Verdict.CONFIRMED
                    )
                    comment = ""
                obj = InspectionVerdict.objects.create(
                    round=finished, school=school, item_code=item.code, verdict=verdict, comment=comment,
                    auto_state=state, inspector=inspector,
                )  # fmt: skip
                InspectionVerdict.objects.filter(pk=obj.pk).update(decided_at=decided)
                audit_record(
                    actor=inspector, action="round.verdict", obj=obj, details={"school": school.pk, "verdict": verdict}
                )  # fmt: skip
                verdicts += 1

        title, started_days, due_days = CURRENT_ROUND
        current = round_create(
            title=title, municipality=municipality, due_date=today - timedelta(days=due_days), actor=inspector
        )
        started = now - timedelta(days=started_days)
        ids = list(current.schools.values_list("pk", flat=True))
        InspectionRound.objects.filter(pk=current.pk).update(
            created_at=started, baseline_percent=percent_at(started, school_ids=ids)
        )
        codes = [i.code for i in round_items(current)]
        for school in current.schools.filter(slug__in=CURRENT_CONFIRMED):
            days_ago, count = CURRENT_CONFIRMED[school.slug]
            decided = now - timedelta(days=days_ago)
            then = _items_then(school.pk, decided) or {}
            done = [c for c in codes if then.get(c, {}).get("state") == DONE][:count]
            for code in done:
                obj = verdict_set(
                    round_=current, school=school, item_code=code, verdict=InspectionVerdict.Verdict.CONFIRMED,
                    comment="", actor=inspector,
                )  # fmt: skip
                InspectionVerdict.objects.filter(pk=obj.pk).update(decided_at=decided, auto_state=DONE)
                verdicts += 1
    return 2, verdicts


def reminders_once(schools: list[School]) -> tuple[int, int]:
    """The daily reminder jobs (config/celery.py beat), run once now, synchronously, for the demo's schools
    and the region: the worker and beat are not up yet when `make run` seeds, and a curator whose home page
    shows overdue items should find them in the bell. The same functions the beat runs; their events' keys
    notify nobody twice, so a second seeding (or tomorrow's beat) repeats nothing."""
    in_schools = 0
    for school in schools:
        with schema_context(school.schema_name):  # as tenants.school_task_batch runs it
            found = reminders_daily_task()
        in_schools += sum(n for key, n in found.items() if key != "pruned")
    return in_schools, rounds_remind(today=timezone.localdate())


class Command(BaseCommand):
    help = "Создаёт демонстрационный регион: муниципалитеты, школы и пользователей для каждой роли."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            RegionSettings.objects.update_or_create(
                pk=1,
                defaults={
                    "name": "Тверская область",
                    "code": "69",
                    "centre_name": "Региональный наставнический центр Тверской области",
                },
            )
            municipalities = [
                Municipality.objects.update_or_create(name=name, defaults={"oktmo": oktmo, "imc_name": imc})[
                    0
                ]
                for name, oktmo, imc in MUNICIPALITIES
            ]
        created = 0
        for number, (m_index, name, short_name, slug, kind, inn_head) in enumerate(SCHOOLS, start=1):
            school = School.objects.filter(slug=slug).first()
            if school is None:
                data = {
                    "name": name,
                    "short_name": short_name,
                    "inn": inn_complete(inn_head[:9]),
                    "ogrn": ogrn_complete(f"10269000{number:04d}"),
                    "kpp": "690101001",
                    "municipality": municipalities[m_index],
                    "kind": kind,
                    "slug": slug,
                    "curator_email": "",
                }
                school = school_onboard(data=data, actor=None)
                created += 1
            # Synchronously here: the worker is not up yet when `make run` seeds.
            school_provision(school_id=school.pk)
        self.stdout.write(f"Школ создано: {created}, всего: {School.objects.count()}")

        rows = []
        for email, role, (last, first, middle), scope in PEOPLE:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(
                    email, DEMO_PASSWORD, last_name=last, first_name=first, middle_name=middle
                )
            if role == Role.REGIONAL_ADMIN and not user.is_superuser:
                user.is_staff = user.is_superuser = True  # also opens Django admin for support work
                user.save(update_fields=["is_staff", "is_superuser"])
            school = School.objects.get(slug=scope) if isinstance(scope, str) else None
            municipality = municipalities[scope] if isinstance(scope, int) else None
            membership_grant(user=user, role=role, school=school, municipality=municipality)
            url = site_url(school_host(school.slug)) if school else site_url()
            rows.append((Role(role).label, email, url))

        demo_logins = dict(
            User.objects.filter(email__in=["mentor@sosh14.test", "mentee@sosh14.test"]).values_list(
                "email", "pk"
            )
        )
        filled = backdated = 0
        demo_schools = []
        fresh = set()
        for number, (_m, _n, _s, slug, _k, _i) in enumerate(SCHOOLS, start=1):
            school = School.objects.get(slug=slug)
            links = {}
            if slug == "tver-sosh14":
                links = {"mentor_user_id": demo_logins.get("mentor@sosh14.test"),
                         "mentee_user_id": demo_logins.get("mentee@sosh14.test")}  # fmt: skip
            with schema_context(school.schema_name):
                filled += school_demo_fill(school=school, seed=number)
                school_demo_mentoring(seed=number, **links)
                snapshot_refresh_pending(school=school, force=True)  # the region's view of this school
            if demo_history_backfill(school=school, seed=number):
                backdated += 1
                fresh.add(school.slug)
            demo_schools.append(school)
        self.stdout.write(f"Школ заполнено демо-данными: {filled}")
        self.stdout.write(
            f"Школ с историей чек-листа за {ONBOARDED_DAYS_AGO} дней: {backdated}, "
            f"версий чек-листа у демо-школ: {SchoolSnapshotVersion.objects.filter(school__in=demo_schools).count()}"
        )
        # Rounds only over a fresh demo's history: an older demo database has no past for their trend.
        rounds_municipality = municipalities[0]
        if {slug for m, _n, _s, slug, _k, _i in SCHOOLS if m == 0} <= fresh:
            made, verdicts = demo_rounds(municipality=rounds_municipality)
        else:
            made = verdicts = 0
        self.stdout.write(f"Раундов мониторинга ИМЦ создано: {made}, решений по пунктам: {verdicts}")
        in_schools, in_region = reminders_once(demo_schools)
        self.stdout.write(f"Напоминаний создано: в школах — {in_schools}, в регионе — {in_region}")
        self.stdout.write(self.style.SUCCESS(f"\nДемо-пользователи (пароль у всех: {DEMO_PASSWORD}):"))
        for role_label, email, url in rows:
            self.stdout.write(f"  {role_label:<24} {email:<30} {url}")
