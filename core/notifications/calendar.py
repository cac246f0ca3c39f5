"""A person's deadlines in one school as an iCalendar feed (RFC 5545), for any calendar app.

Staff (curator, administrator): the open roadmap items and the consents that end. A mentor or mentee: the
open tasks and the end of the programmes of their own current pairs. Nothing of another school: the feed
is read in the schema of the host it was asked on, and only for a member of that school.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone
from icalendar import Calendar, Event

from core.consents.models import Consent
from core.pairs.models import PairMember
from core.programmes.models import Programme, ProgrammeTask
from core.roadmap.models import RoadmapItem
from tenants.models import SCHOOL_STAFF_ROLES, School, User
from tenants.selectors import user_school_roles
from tenants.urls_util import site_url

HORIZON = timedelta(days=400)
PAST = timedelta(days=60)
LIVE = (Programme.Status.DRAFT, Programme.Status.REVIEW, Programme.Status.REVISION, Programme.Status.APPROVED,
        Programme.Status.RUNNING)  # fmt: skip


@dataclass(frozen=True)
class Deadline:
    uid: str
    on: date
    title: str
    link: str


def deadlines_for(*, user: User, school: School, today: date | None = None) -> list[Deadline]:
    today = today or timezone.localdate()
    window = {"gte": today - PAST, "lte": today + HORIZON}
    roles = user_school_roles(user, school)
    found: list[Deadline] = []
    if roles & SCHOOL_STAFF_ROLES:
        for item in RoadmapItem.objects.filter(
            status__in=[RoadmapItem.Status.PLANNED, RoadmapItem.Status.IN_PROGRESS],
            due_date__gte=window["gte"], due_date__lte=window["lte"],
        ):  # fmt: skip
            if item.due_date is None:  # excluded by the query; for the type checker
                continue
            found.append(
                Deadline(f"roadmap-{item.pk}", item.due_date, f"Дорожная карта: {item.title}", "/roadmap/")
            )
        for consent in Consent.objects.filter(
            withdrawn_on__isnull=True, valid_until__gte=window["gte"], valid_until__lte=window["lte"]
        ).select_related("person"):
            if consent.valid_until is None:  # excluded by the query; for the type checker
                continue
            found.append(
                Deadline(
                    f"consent-{consent.pk}", consent.valid_until,
                    f"Истекает согласие: {consent.person.short_name}", f"/people/{consent.person_id}/",
                )
            )  # fmt: skip
    pair_ids = list(
        PairMember.objects.filter(person__user_id=user.pk, until__isnull=True).values_list(
            "pair_id", flat=True
        )
    )
    if pair_ids:
        for task in ProgrammeTask.objects.filter(
            section__programme__pair_id__in=pair_ids, section__programme__status__in=LIVE, result="",
            due_date__gte=window["gte"], due_date__lte=window["lte"],
        ).select_related("section__programme"):  # fmt: skip
            if task.due_date is None:  # excluded by the query; for the type checker
                continue
            programme = task.section.programme
            found.append(
                Deadline(
                    f"task-{task.pk}", task.due_date, f"Задание: {task.task}", f"/programmes/{programme.pk}/"
                )
            )
        for programme in Programme.objects.filter(pair_id__in=pair_ids, status__in=LIVE):
            found.append(
                Deadline(
                    f"programme-{programme.pk}", programme.ends_on, f"Окончание программы «{programme.title}»",
                    f"/programmes/{programme.pk}/",
                )
            )  # fmt: skip
    return sorted(found, key=lambda d: (d.on, d.uid))


def calendar_ics(*, deadlines: list[Deadline], host: str, name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Наставник//Сроки//RU")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    stamp = timezone.now()
    for deadline in deadlines:
        event = Event()
        event.add("uid", f"{deadline.uid}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", deadline.on)
        event.add("dtend", deadline.on + timedelta(days=1))
        event.add("summary", deadline.title)
        event.add("url", site_url(host, deadline.link))
        calendar.add_component(event)
    return calendar.to_ical()
