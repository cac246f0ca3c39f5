from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, QuerySet

from core.consents.models import Consent
from core.people.models import Category, Person
from core.people.selectors import age_on, person_is_minor


@dataclass(frozen=True)
class ConsentCheck:
    """The answer to «may this person take part on this date?», with the reasons when not."""

    allowed: bool
    problems: list[str] = field(default_factory=list)


def consents_valid_on(*, on: date) -> QuerySet[Consent]:
    return Consent.objects.filter(
        Q(valid_from__lte=on),
        Q(valid_until__isnull=True) | Q(valid_until__gte=on),
        Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=on),
    )


def consent_check(*, person: Person, on: date) -> ConsentCheck:
    """Both consents (participation, personal data) valid on ``on``; a minor's given by a representative."""
    valid = list(consents_valid_on(on=on).filter(person=person))
    minor = person_is_minor(person, on)
    problems = []
    for kind in Consent.Kind:
        of_kind = [c for c in valid if c.kind == kind]
        if minor:
            of_kind = [c for c in of_kind if c.by_representative and c.representative_name]
        if not of_kind:
            label = kind.label
            problems.append(
                f"Нет действующего {label.replace('согласие', 'согласия', 1)}"
                + (" от законного представителя" if minor else "")
                + f" на {on:%d.%m.%Y}."
            )
    return ConsentCheck(allowed=not problems, problems=problems)


def people_due_own_consent(*, on: date) -> list[Person]:
    """Students who have turned 18 while their valid consents were given by a representative."""
    people = Person.objects.filter(category=Category.STUDENT, birth_date__isnull=False).prefetch_related(
        "consents"
    )
    due = []
    for person in people:
        if person.birth_date is None or age_on(person.birth_date, on) < 18:
            continue
        valid = [c for c in consents_valid_on(on=on).filter(person=person)]
        if valid and all(c.by_representative for c in valid):
            due.append(person)
    return due


def person_is_adult_now(person: Person, on: date) -> bool:
    return not person_is_minor(person, on)
