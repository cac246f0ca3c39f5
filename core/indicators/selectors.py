"""Federal indicators of one school for a reporting date, from its dated data (formulas in the README).

A person counts as «in mentoring» on date D when they are a member (mentor or mentee) of a pair that is
not ended on D, their membership covers D, and their consents are valid on D (consent_check).
"""

from dataclasses import dataclass, field
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db.models import Q

from core.consents.selectors import consent_check
from core.indicators.models import ContingentDeclaration
from core.pairs.models import Pair, PairMember
from core.pairs.selectors import active_on
from core.people.models import Category, Person
from core.people.selectors import age_on


@dataclass(frozen=True)
class Share:
    numerator: int
    denominator: int
    declared: bool = False  # the denominator comes from a declared contingent, not the register
    people: list[Person] = field(default_factory=list)  # who was counted (for the school's drill-down)

    @property
    def percent(self) -> float | None:
        return round(100 * self.numerator / self.denominator, 1) if self.denominator else None


def current_pairs_q(on: date) -> Q:
    """Pairs that count on ``on``: started, not ended, not suspended on that date (dated periods)."""
    return active_on(on)


def _members_with_consent(on: date) -> tuple[dict[int, set[str]], list[Person]]:
    """Roles of the people in a current pair on ``on`` whose consents are valid, and those people.

    Three queries however many members: the memberships, their people, the people's consents
    (prefetched, so consent_check reads them from memory).
    """
    memberships = list(
        PairMember.objects.filter(pair__in=Pair.objects.filter(current_pairs_q(on)), since__lte=on)
        .exclude(until__lt=on)
        .values_list("person_id", "role")
    )
    people = Person.objects.filter(pk__in={person_id for person_id, _role in memberships}).prefetch_related(
        "consents"
    )
    allowed = [p for p in people if consent_check(person=p, on=on).allowed]
    ids = {p.pk for p in allowed}
    roles: dict[int, set[str]] = {}
    for person_id, role in memberships:
        if person_id in ids:
            roles.setdefault(person_id, set()).add(role)
    return roles, allowed


def members_in_mentoring(on: date) -> dict[int, set[str]]:
    """{person id: {"mentor", "mentee"}} for people in a current pair on ``on`` with valid consents."""
    return _members_with_consent(on)[0]


def _is_young_teacher(person: Person, on: date) -> bool:
    return (
        person.birth_date is not None
        and age_on(person.birth_date, on) < 35
        and person.career_start is not None
        and person.career_start > on - relativedelta(years=3)
    )


def indicators_on(on: date) -> dict[str, Share]:
    roles = members_in_mentoring(on)
    declared = ContingentDeclaration.objects.filter(year=on.year).first()
    students = [
        p
        for p in Person.objects.filter(category=Category.STUDENT, birth_date__isnull=False)
        if p.birth_date is not None and 10 <= age_on(p.birth_date, on) <= 18
    ]
    teachers = list(Person.objects.filter(category=Category.TEACHER))
    young = [t for t in teachers if _is_young_teacher(t, on)]

    def share(group: list[Person], test: object, declared_total: int | None) -> Share:
        counted = [p for p in group if test(p)]  # type: ignore[operator]
        total = declared_total if declared_total else len(group)
        return Share(len(counted), total, bool(declared_total), counted)

    return {
        "students_10_18": share(
            students, lambda p: p.pk in roles, declared.students_10_18 if declared else None
        ),
        "young_teachers_with_mentor": share(
            young, lambda p: "mentee" in roles.get(p.pk, set()), declared.young_teachers if declared else None
        ),
        "teachers_in_mentoring": share(
            teachers, lambda p: p.pk in roles, declared.teachers if declared else None
        ),
    }
