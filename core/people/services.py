from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from core.audit.services import audit_log, changes_between
from core.pairs.services import pairs_enforce_consents
from core.people.models import BankEntry, Person
from tenants.models import SCHOOL_STAFF_ROLES, Role, School, User
from tenants.selectors import user_school_roles

STAFF = SCHOOL_STAFF_ROLES

PERSON_FIELDS = [
    "last_name", "first_name", "middle_name", "category", "external_kind", "organisation", "birth_date",
    "school_class", "position", "career_start", "hired_on", "email", "phone",
]  # fmt: skip


@transaction.atomic
def person_create(*, data: dict[str, Any], actor: User | None) -> Person:
    person = Person.objects.create(**{k: v for k, v in data.items() if k in PERSON_FIELDS})
    audit_log(actor=actor, action="create", obj=person)
    return person


@transaction.atomic
def person_update(*, person: Person, data: dict[str, Any], actor: User | None) -> Person:
    # From the database: a ModelForm bound to ``person`` has already copied the new values onto it.
    before = model_to_dict(Person.objects.get(pk=person.pk), fields=PERSON_FIELDS)
    for field in PERSON_FIELDS:
        if field in data:
            setattr(person, field, data[field])
    person.save()
    changes = changes_between(before, model_to_dict(person, fields=PERSON_FIELDS))
    audit_log(actor=actor, action="update", obj=person, changes=changes)
    if {"birth_date", "category"} & changes.keys():
        # A corrected birth date can make an adult a minor whose consents need a representative: the
        # person's pairs are checked again under the one consent rule (and suspended if it is broken).
        pairs_enforce_consents(
            on=timezone.localdate(), people=[person], reason="Изменены данные участника", actor=actor
        )
    return person


@transaction.atomic
def people_import(*, rows: list[dict[str, Any]], actor: User | None) -> list[Person]:
    """All rows or none: the caller has validated every row; any failure here rolls the whole file back."""
    created = [Person.objects.create(**{k: v for k, v in row.items() if k in PERSON_FIELDS}) for row in rows]
    for person in created:
        audit_log(actor=actor, action="import", obj=person)
    return created


def _school_roles(actor: User | None, school: School) -> set[str]:
    return set(user_school_roles(actor, school)) if actor is not None else set()


def _require_staff(actor: User | None, school: School) -> None:
    if not _school_roles(actor, school) & STAFF:
        raise PermissionDenied("Базы наставников и наставляемых ведут куратор и администратор школы.")


@transaction.atomic
def bank_entry_save(*, person: Person, data: dict[str, Any], actor: User | None, school: School) -> BankEntry:
    """Include a person in a bank (as a candidate) or update their entry's requests, subjects, capacity.

    The status is never changed here: it moves only through ``bank_entry_set_status`` and the pair services.
    """
    _require_staff(actor, school)
    if data.get("bank") not in BankEntry.Bank.values:
        raise ValidationError({"bank": "Выберите базу: наставников или наставляемых."})
    entry, created = BankEntry.objects.get_or_create(person=person, bank=data["bank"])
    for field in ("requests", "competencies", "subjects", "capacity"):
        if field in data:
            setattr(entry, field, data[field])
    entry.save()
    audit_log(actor=actor, action="bank_add" if created else "bank_update", obj=entry)
    return entry


# The bank's life (seeds 001, 003: the curator forms the bases and selects mentors; DESIGN: «approved by the
# curator»). Who may take each step by hand:
#   кандидат → одобрен            the curator (the one who answers for selecting mentors and mentees)
#   одобрен → кандидат            the curator (approval withdrawn: to be looked at again)
#   кандидат / одобрен → выбыл    the curator or the school's admin (the person leaves the school or the bank)
#   выбыл → кандидат              the curator or the school's admin (back in the bank; approved again before pairing)
# «в паре» is set only by forming a pair (core.pairs.services.pair_create, from «одобрен») and lifted only by
# ending the person's last pair in that role (pair_end, back to «одобрен»); nobody sets or lifts it by hand,
# so nobody reaches a pair without approval and nobody leaves while still in a working pair.
BANK_STATUS_MOVES: dict[tuple[str, str], frozenset[str]] = {
    (BankEntry.Status.CANDIDATE, BankEntry.Status.APPROVED): frozenset({Role.CURATOR}),
    (BankEntry.Status.APPROVED, BankEntry.Status.CANDIDATE): frozenset({Role.CURATOR}),
    (BankEntry.Status.CANDIDATE, BankEntry.Status.LEFT): STAFF,
    (BankEntry.Status.APPROVED, BankEntry.Status.LEFT): STAFF,
    (BankEntry.Status.LEFT, BankEntry.Status.CANDIDATE): STAFF,
}


def bank_status_next(*, status: str, roles: set[str]) -> list[str]:
    """The steps from ``status`` that someone with ``roles`` may take by hand (what the bank page offers)."""
    return [to for (frm, to), allowed in BANK_STATUS_MOVES.items() if frm == status and roles & allowed]


@transaction.atomic
def bank_entry_set_status(*, entry: BankEntry, status: str, actor: User | None, school: School) -> BankEntry:
    """One step of the bank's life by hand, if ``actor`` holds a role allowed to take it (table above)."""
    if status not in BankEntry.Status.values:
        raise ValidationError({"status": "Выберите статус: кандидат, одобрен, в паре или выбыл."})
    entry = BankEntry.objects.select_for_update().select_related("person").get(pk=entry.pk)
    current, wanted = str(BankEntry.Status(entry.status).label), str(BankEntry.Status(status).label)
    roles = _school_roles(actor, school)
    if not roles & STAFF:
        raise PermissionDenied("Базы наставников и наставляемых ведут куратор и администратор школы.")
    if status == entry.status:
        raise ValidationError(f"Статус уже «{current}».")
    if entry.status == BankEntry.Status.IN_PAIR:
        raise ValidationError(f"«{current}»: сначала завершите пару, затем меняйте статус.")
    if status == BankEntry.Status.IN_PAIR:
        raise ValidationError("Статус «в паре» ставится при формировании пары.")
    allowed = BANK_STATUS_MOVES.get((entry.status, status))
    if allowed is None:
        raise ValidationError(f"Из статуса «{current}» нельзя перейти в «{wanted}»: сначала «кандидат».")
    if not roles & allowed:
        raise PermissionDenied(
            f"Перевести из «{current}» в «{wanted}» может только куратор наставничества."
            if allowed == {Role.CURATOR}
            else f"Перевести из «{current}» в «{wanted}» могут куратор и администратор школы."
        )
    entry.status = status
    if status == BankEntry.Status.APPROVED:
        entry.approved_at = timezone.now()
        entry.approved_by_id = actor.pk if actor else None
    elif status == BankEntry.Status.CANDIDATE:  # approval withdrawn or a returning person: not approved
        entry.approved_at, entry.approved_by_id = None, None
    entry.save(update_fields=["status", "approved_at", "approved_by_id"])
    audit_log(actor=actor, action="bank_status", obj=entry, changes={"status": [current, wanted]})
    return entry


@transaction.atomic
def person_link_user(
    *, person: Person, user_id: int | None, school_member_ids: set[int], actor: User | None
) -> Person:
    """Tie a person's card to the login of a mentor or mentee of this school (or untie it)."""
    if user_id is not None:
        if user_id not in school_member_ids:
            raise ValidationError("Эта учётная запись не относится к вашей школе.")
        if Person.objects.filter(user_id=user_id).exclude(pk=person.pk).exists():
            raise ValidationError("Эта учётная запись уже связана с другим участником.")
    person.user_id = user_id
    person.save(update_fields=["user_id"])
    audit_log(actor=actor, action="link_user", obj=person, changes={"user_id": user_id})
    return person
