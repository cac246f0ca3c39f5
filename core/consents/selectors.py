from dataclasses import dataclass, field
from datetime import date

from dateutil.relativedelta import relativedelta

from core.consents.models import Consent
from core.people.models import Category, Person
from core.people.selectors import person_is_minor


@dataclass(frozen=True)
class ConsentCheck:
    """The answer to «may this person take part on this date?», with the reasons when not."""

    allowed: bool
    problems: list[str] = field(default_factory=list)


def consent_valid_on(consent: Consent, on: date) -> bool:
    """Valid on ``on``: started, not expired, not yet withdrawn."""
    return (
        consent.valid_from <= on
        and (consent.valid_until is None or consent.valid_until >= on)
        and (consent.withdrawn_on is None or consent.withdrawn_on > on)
    )


def consent_check(*, person: Person, on: date) -> ConsentCheck:
    """Both consents (participation, personal data) valid on ``on``; a minor's given by a representative.

    Reads ``person.consents.all()``, so callers that prefetch ``consents`` check many people in one query.
    """
    valid = [c for c in person.consents.all() if consent_valid_on(c, on)]
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
    adults = Person.objects.filter(
        category=Category.STUDENT, birth_date__lte=on - relativedelta(years=18)
    ).prefetch_related("consents")  # two queries however many students
    due = []
    for person in adults:
        valid = [c for c in person.consents.all() if consent_valid_on(c, on)]
        if valid and all(c.by_representative for c in valid):
            due.append(person)
    return due
