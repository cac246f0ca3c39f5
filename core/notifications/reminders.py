"""The daily reminders of one school (its own schema): deadlines near or past, consents, idle pairs, surveys.

Each finding is an event with a key that names the item and the date that made it due (a task's due date,
a consent's end), so running the job twice — or on two workers — notifies nobody twice, while a moved
deadline is a new event. Overdue items are looked for in the last ``LOOK_BACK`` days only, so the first
run on an old school does not bury its curator.
"""

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Max, Q

from core.consents.models import Consent
from core.monitoring.models import SurveyResponse
from core.monitoring.services import surveys_for
from core.notifications.recipients import member_ids, staff_ids
from core.notifications.services import notify
from core.pairs.models import Pair, PairMember
from core.people.models import Category, Person
from core.programmes.models import Programme, ProgrammeTask
from core.roadmap.models import RoadmapItem
from core.templatetags.nastavnik import plural_ru

SOON = timedelta(days=7)
CONSENT_SOON = timedelta(days=30)
LOOK_BACK = timedelta(days=30)
PROGRAMME_LIVE = (Programme.Status.APPROVED, Programme.Status.RUNNING)
Phase = SurveyResponse.Phase


def reminders_run(*, today: date) -> dict[str, int]:
    """Every daily check of this school; returns how many notifications each created."""
    staff = staff_ids()
    return {
        "tasks": tasks_remind(today=today, staff=staff),
        "roadmap": roadmap_remind(today=today, staff=staff),
        "consents": consents_remind(today=today, staff=staff),
        "adults": adults_remind(today=today, staff=staff),
        "pairs": pairs_inactive_remind(today=today, staff=staff),
        "surveys": surveys_remind(today=today),
    }


def tasks_remind(*, today: date, staff: list[int]) -> int:
    tasks = list(
        ProgrammeTask.objects.filter(
            result="",
            due_date__gt=today - LOOK_BACK,
            due_date__lte=today + SOON,
            section__programme__status__in=PROGRAMME_LIVE,
        ).select_related("section__programme")
    )
    mentors = member_ids({t.section.programme.pair_id for t in tasks}, role=PairMember.Role.MENTOR)
    created = 0
    for task in tasks:
        if task.due_date is None:  # excluded by the query; for the type checker
            continue
        programme = task.section.programme
        overdue = task.due_date < today
        kind = "task_overdue" if overdue else "task_due"
        title = (
            f"Просрочено задание программы «{programme.title}»"
            if overdue
            else f"Срок задания программы «{programme.title}» — {task.due_date:%d.%m.%Y}"
        )
        created += len(
            notify(
                kind=kind,
                key=f"{kind}:{task.pk}:{task.due_date:%Y-%m-%d}",
                recipient_ids=[*mentors.get(programme.pair_id, []), *staff],
                title=title,
                body=f"Задание: {task.task}. Срок: {task.due_date:%d.%m.%Y}.",
                link=f"/programmes/{programme.pk}/",
            )
        )
    return created


def roadmap_remind(*, today: date, staff: list[int]) -> int:
    items = RoadmapItem.objects.filter(
        status__in=[RoadmapItem.Status.PLANNED, RoadmapItem.Status.IN_PROGRESS],
        due_date__gt=today - LOOK_BACK,
        due_date__lte=today + SOON,
    )
    created = 0
    for item in items:
        if item.due_date is None:  # excluded by the query; for the type checker
            continue
        overdue = item.due_date < today
        kind = "roadmap_overdue" if overdue else "roadmap_due"
        verb = "просрочен" if overdue else "срок"
        responsible = f" Ответственный: {item.responsible}." if item.responsible else ""
        created += len(
            notify(
                kind=kind,
                key=f"{kind}:{item.pk}:{item.due_date:%Y-%m-%d}",
                recipient_ids=staff,
                title=f"Дорожная карта: {verb} {item.due_date:%d.%m.%Y} — «{item.title[:150]}»",
                body=f"Мероприятие: {item.title}.{responsible}",
                link="/roadmap/",
            )
        )
    return created


def _renewed(consent: Consent) -> bool:
    """Another consent of the same kind carries on after this one ends."""
    if consent.valid_until is None:
        return True  # open-ended: it does not end
    return (
        Consent.objects.filter(person_id=consent.person_id, kind=consent.kind, withdrawn_on__isnull=True)
        .exclude(pk=consent.pk)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=consent.valid_until))
        .filter(valid_from__lte=consent.valid_until + timedelta(days=1))
        .exists()
    )


def consents_remind(*, today: date, staff: list[int]) -> int:
    consents = Consent.objects.filter(
        withdrawn_on__isnull=True, valid_until__gte=today - LOOK_BACK, valid_until__lte=today + CONSENT_SOON
    ).select_related("person")
    created = 0
    for consent in consents:
        if consent.valid_until is None:  # excluded by the query; for the type checker
            continue
        if _renewed(consent):
            continue
        expired = consent.valid_until < today
        kind = "consent_expired" if expired else "consent_expiring"
        when = "истекло" if expired else "истекает"
        created += len(
            notify(
                kind=kind,
                key=f"{kind}:{consent.pk}:{consent.valid_until:%Y-%m-%d}",
                recipient_ids=staff,
                title=f"{consent.person.short_name}: {when} {consent.valid_until:%d.%m.%Y} "
                f"{consent.get_kind_display()}",
                link=f"/people/{consent.person_id}/",
            )
        )
    return created


def adults_remind(*, today: date, staff: list[int]) -> int:
    """A student turns 18 (within 30 days, or did in the last 30) while their consent came from a parent."""
    born_from, born_to = (
        today - LOOK_BACK - relativedelta(years=18),
        today + CONSENT_SOON - relativedelta(years=18),
    )
    students = Person.objects.filter(
        category=Category.STUDENT, birth_date__gte=born_from, birth_date__lte=born_to
    )
    created = 0
    for person in students:
        if person.birth_date is None:  # excluded by the query; for the type checker
            continue
        adult_on = person.birth_date + relativedelta(years=18)
        consents = Consent.objects.filter(person=person, withdrawn_on__isnull=True).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=adult_on)
        )
        if (
            not consents.filter(by_representative=True).exists()
            or consents.filter(by_representative=False, valid_from__gte=adult_on - CONSENT_SOON).exists()
        ):
            continue  # nothing given by a parent, or the student has already signed their own
        verb = "исполнилось" if adult_on <= today else "исполнится"
        created += len(
            notify(
                kind="student_adult",
                key=f"student_adult:{person.pk}:{adult_on:%Y-%m-%d}",
                recipient_ids=staff,
                title=f"{person.short_name}: {adult_on:%d.%m.%Y} {verb} 18 лет — нужно собственное согласие",
                body="Согласие давал законный представитель; с совершеннолетия согласие даёт сам участник.",
                link=f"/people/{person.pk}/",
            )
        )
    return created


def pairs_inactive_remind(*, today: date, staff: list[int]) -> int:
    days = settings.PAIR_INACTIVE_DAYS
    limit = today - timedelta(days=days)
    pairs = list(
        Pair.objects.filter(status=Pair.Status.ACTIVE, started_on__lte=limit)
        .annotate(last_meeting=Max("meetings__date"))
        .filter(Q(last_meeting__isnull=True) | Q(last_meeting__lte=limit))
    )
    mentors = member_ids(pairs, role=PairMember.Role.MENTOR)
    created = 0
    for pair in pairs:
        since = pair.last_meeting or pair.started_on
        last = (
            f"Последняя встреча — {pair.last_meeting:%d.%m.%Y}."
            if pair.last_meeting
            else "Встреч ещё не было."
        )
        created += len(
            notify(
                kind="pair_inactive",
                key=f"pair_inactive:{pair.pk}:{since:%Y-%m-%d}",
                recipient_ids=[*mentors.get(pair.pk, []), *staff],
                title=f"Пара № {pair.pk}: нет встреч больше {days} {plural_ru(days, 'дня,дней,дней')}",
                body=last,
                link=f"/pairs/{pair.pk}/",
            )
        )
    return created


def surveys_remind(*, today: date) -> int:
    """The entry measure waits from a pair's start; the questionnaires of the end from 30 days before the
    programme ends (or once it is completed)."""
    members = PairMember.objects.filter(
        until__isnull=True, person__user_id__isnull=False, pair__status=Pair.Status.ACTIVE
    ).select_related("person", "pair")
    ending = dict(Programme.objects.values_list("pair_id", "ends_on"))
    created = 0
    for member in members:
        ends_on = ending.get(member.pair_id)
        end_near = ends_on is not None and ends_on - CONSENT_SOON <= today
        for survey in surveys_for(pair=member.pair, person=member.person, role=member.role):
            if survey.done or (survey.phase != Phase.ENTRY and not end_near):
                continue
            created += len(
                notify(
                    kind="survey_waiting",
                    key=f"survey:{member.pair_id}:{member.person_id}:{survey.code}:{survey.phase}",
                    recipient_ids=[member.person.user_id],
                    title=f"Заполните анкету «{survey.title}»",
                    link=f"/pairs/{member.pair_id}/surveys/",
                )
            )
    return created
