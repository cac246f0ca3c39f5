"""Russian names in the grammatical case an order needs: «назначить куратором Белову Ольгу Сергеевну».

Declension is ``petrovich`` (rules made for Russian names: hyphenated surnames, indeclinable foreign ones
such as «Гюго» or «Ким», feminine «Шмидт»). It needs the person's gender; a person's record has none, so it
is read from the patronymic (-ич / «оглы» male, -на / «кызы» female), then from the surname's and the first
name's endings; when nothing tells, petrovich is given no gender and applies only rules that do not depend
on it.
"""

from functools import cache
from typing import Protocol

from petrovich.enums import Case, Gender
from petrovich.main import Petrovich

__all__ = [
    "Case", "Gender", "NamedPerson", "declined_forms", "full_name_in", "person_context", "person_gender",
    "short_name_in",
]  # fmt: skip


class NamedPerson(Protocol):
    last_name: str
    first_name: str
    middle_name: str


@cache
def _petrovich() -> Petrovich:
    return Petrovich()


# First names ending in -а/-я that are male (the ending alone would say female).
_MALE_A_NAMES = frozenset(
    {"илья", "никита", "фома", "кузьма", "лука", "савва", "данила", "гаврила", "фока", "иона", "миша",
     "паша", "дима", "ваня", "костя", "алёша", "алеша", "лёша", "леша", "серёжа", "сережа", "юра",
     "вова", "гриша", "петя", "коля", "толя", "федя"}
)  # fmt: skip
_FEMALE_SURNAME_ENDINGS = ("ова", "ева", "ёва", "ина", "ына", "ская", "цкая", "ая")
_MALE_SURNAME_ENDINGS = ("ов", "ев", "ёв", "ин", "ын", "ский", "цкий", "ой", "ый", "ий")


def person_gender(person: NamedPerson) -> Gender | None:
    middle = (person.middle_name or "").strip().lower()
    if middle.endswith(("ич", "оглы", "улы", "уулу")):
        return Gender.MALE
    if middle.endswith(("на", "кызы", "гызы")):
        return Gender.FEMALE
    last = (person.last_name or "").strip().lower().split("-")[0]
    if last.endswith(_FEMALE_SURNAME_ENDINGS):
        return Gender.FEMALE
    if last.endswith(_MALE_SURNAME_ENDINGS):
        return Gender.MALE
    first = (person.first_name or "").strip().lower()
    if first in _MALE_A_NAMES:
        return Gender.MALE
    if first.endswith(("а", "я")):
        return Gender.FEMALE
    if first:
        return Gender.MALE
    return None


def _parts(person: NamedPerson, case: Case) -> tuple[str, str, str]:
    gender = person_gender(person)
    p = _petrovich()
    last, first, middle = (
        (person.last_name or "").strip(),
        (person.first_name or "").strip(),
        (person.middle_name or "").strip(),
    )
    return (
        p.lastname(last, case, gender) if last else "",
        p.firstname(first, case, gender) if first else "",
        # A patronymic petrovich does not know (a foreign one, «Али оглы») is left as written.
        p.middlename(middle, case, gender) if middle else "",
    )


def full_name_in(person: NamedPerson, case: Case) -> str:
    """«Белову Ольгу Сергеевну» (accusative), «Беловой Ольге Сергеевне» (dative)…"""
    return " ".join(part for part in _parts(person, case) if part)


def short_name_in(person: NamedPerson, case: Case) -> str:
    """«Белову О. С.»: the surname declined, the initials as they are."""
    last = _parts(person, case)[0]
    initials = " ".join(
        f"{p.strip()[0]}." for p in (person.first_name, person.middle_name) if p and p.strip()
    )
    return f"{last} {initials}".strip()


def declined_forms(person: NamedPerson) -> set[str]:
    """Every form in which a generated document may print the name (for erasure to find and replace)."""
    forms = set()
    for case in (Case.GENITIVE, Case.DATIVE, Case.ACCUSATIVE, Case.INSTRUMENTAL, Case.PREPOSITIONAL):
        forms.add(full_name_in(person, case))
        forms.add(short_name_in(person, case))
        last, first, _middle = _parts(person, case)
        forms.add(f"{last} {first}".strip())
    return {form for form in forms if form}


def person_context(person: NamedPerson, *, position: str = "") -> dict[str, str]:
    """A person as generated documents print them: nominative, and the cases the default templates use."""
    full = " ".join(p for p in (person.last_name, person.first_name, person.middle_name) if p)
    return {
        "full_name": full,
        "short_name": short_name_in(person, Case.NOMINATIVE),
        "position": position,
        "genitive": full_name_in(person, Case.GENITIVE),
        "dative": full_name_in(person, Case.DATIVE),
        "accusative": full_name_in(person, Case.ACCUSATIVE),
        "instrumental": full_name_in(person, Case.INSTRUMENTAL),
        "accusative_short": short_name_in(person, Case.ACCUSATIVE),
    }
