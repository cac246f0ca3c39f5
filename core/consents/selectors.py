from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

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


def consent_change_dates(person: Person) -> set[date]:
    """The days on which ``consent_check`` for this person can change its answer: a consent starts, ends
    (the day after ``valid_until``) or is withdrawn, or the person comes of age. Between two of them the
    answer stays the same, so checking these days (and the first day of a window) checks every day."""
    days: set[date] = set()
    for consent in person.consents.all():
        days.add(consent.valid_from)
        if consent.valid_until is not None:
            days.add(consent.valid_until + timedelta(days=1))
        if consent.withdrawn_on is not None:
            days.add(consent.withdrawn_on)
    if person.birth_date is not None:
        days.add(person.birth_date + relativedelta(years=18))
    return days


@dataclass(frozen=True)
class ConsentGap:
    """The first day in a window on which a person's consents were not valid, and why."""

    on: date
    problems: list[str]


def consent_first_gap(
    *,
    person: Person,
    since: date,
    until: date,
    also: Iterable[date] = (),
    skip: Callable[[date], bool] | None = None,
) -> ConsentGap | None:
    """The first day in ``since…until`` when ``person`` may not take part, or None when every day is fine.

    ``also`` adds days where the caller's own answer changes (e.g. suspension periods), and ``skip`` leaves
    out days the caller has already dealt with; between two change days both answers are constant.
    """
    days = sorted(d for d in {since, *consent_change_dates(person), *also} if since <= d <= until)
    for day in days:
        if skip is not None and skip(day):
            continue
        check = consent_check(person=person, on=day)
        if not check.allowed:
            return ConsentGap(on=day, problems=check.problems)
    return None


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
