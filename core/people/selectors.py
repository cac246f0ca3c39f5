import re
from datetime import date
from typing import Any

from django.db.models import Count, F, Func, Q, QuerySet, Value, Window
from django.db.models.expressions import BaseExpression
from django.db.models.functions import Upper
from django.shortcuts import get_object_or_404

from core.people.models import BankEntry, Category, Person


def _folded(field: str) -> Func:
    return Upper(Func(F(field), Value("Ёё"), Value("Ее"), function="translate"))


def fold(text: str) -> str:
    return " ".join(text.replace("ё", "е").replace("Ё", "Е").upper().split())


def person_list(*, search: str = "", category: str = "") -> QuerySet[Person]:
    people = Person.objects.all()
    if category in Category.values:
        people = people.filter(category=category)
    for word in fold(search).split():
        people = people.annotate(
            _l=_folded("last_name"), _f=_folded("first_name"), _m=_folded("middle_name")
        ).filter(Q(_l__contains=word) | Q(_f__contains=word) | Q(_m__contains=word))
    return people.order_by("last_name", "first_name", "middle_name")


def person_get(*, pk: int) -> Person:
    return get_object_or_404(Person, pk=pk)


def person_duplicate_ids() -> set[int]:
    """People sharing a folded ФИО and a date of birth with someone else (a possible double entry).

    One query whatever the number of doubles: a window count over the folded name and date (it was one
    query per group of doubles)."""
    key: list[BaseExpression | F] = [
        _folded("last_name"),
        _folded("first_name"),
        _folded("middle_name"),
        F("birth_date"),
    ]
    people = (
        Person.objects.exclude(birth_date__isnull=True)
        .annotate(n=Window(Count("pk"), partition_by=key))
        .filter(n__gt=1)
    )
    return set(people.values_list("pk", flat=True))


def person_duplicates_of(
    *, last_name: str, first_name: str, middle_name: str, birth_date: date | None, exclude_pk: int | None
) -> list[Person]:
    """People already in the school with the same folded ФИО and, when both are known, the same date of
    birth: what person_duplicate_ids would flag after saving, asked before saving."""
    people = Person.objects.annotate(
        _l=_folded("last_name"), _f=_folded("first_name"), _m=_folded("middle_name")
    ).filter(_l=fold(last_name), _f=fold(first_name), _m=fold(middle_name))
    if exclude_pk is not None:  # editing: a person is not a duplicate of themselves
        people = people.exclude(pk=exclude_pk)
    if birth_date is not None:
        people = people.filter(Q(birth_date=birth_date) | Q(birth_date__isnull=True))
    return list(people.order_by("pk")[:10])


def person_duplicates_for(*, data: dict[str, Any], exclude_pk: int | None) -> list[Person]:
    """The duplicate rule for a validated person form (the page and the API both ask it before saving)."""
    return person_duplicates_of(
        last_name=data["last_name"],
        first_name=data["first_name"],
        middle_name=data.get("middle_name", ""),
        birth_date=data.get("birth_date"),
        exclude_pk=exclude_pk,
    )


def age_on(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def person_is_minor(person: Person, on: date) -> bool:
    return person.birth_date is not None and age_on(person.birth_date, on) < 18


def bank_list(*, bank: str, status: str = "") -> QuerySet[BankEntry]:
    entries = BankEntry.objects.filter(bank=bank).select_related("person")
    if status in BankEntry.Status.values:
        entries = entries.filter(status=status)
    return entries.order_by("person__last_name", "person__first_name")


_SUBJECT_SEPARATORS = re.compile(r"[,;/\n]+")


def subjects_split(text: str) -> list[str]:
    """«Математика; физика ,  математика» → ["Математика", "физика"]: a bank entry's subjects, each once."""
    subjects: dict[str, str] = {}
    for part in _SUBJECT_SEPARATORS.split(text):
        subject = " ".join(part.split()).strip(" .")
        if subject:
            subjects.setdefault(subject_key(subject), subject)
    return list(subjects.values())


def subject_key(subject: str) -> str:
    """What two spellings of one subject share: case, «ё» and spaces do not matter."""
    return " ".join(subject.replace("ё", "е").replace("Ё", "Е").lower().split())
