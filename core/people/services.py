from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from core.audit.services import audit_log, changes_between
from core.pairs.services import pairs_enforce_consents
from core.people.models import BankEntry, Person
from tenants.models import User

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


@transaction.atomic
def bank_entry_save(*, person: Person, data: dict[str, Any], actor: User | None) -> BankEntry:
    entry, created = BankEntry.objects.get_or_create(person=person, bank=data["bank"])
    for field in ("requests", "competencies", "subjects", "capacity"):
        if field in data:
            setattr(entry, field, data[field])
    entry.save()
    audit_log(actor=actor, action="bank_add" if created else "bank_update", obj=entry)
    return entry


# Moves a curator may make by hand. «в паре» is set and lifted only by forming and ending pairs
# (core.pairs.services), so nobody reaches it without approval.
BANK_STATUS_MOVES: dict[str, set[str]] = {
    BankEntry.Status.CANDIDATE: {BankEntry.Status.APPROVED, BankEntry.Status.LEFT},
    BankEntry.Status.APPROVED: {BankEntry.Status.CANDIDATE, BankEntry.Status.LEFT},
    BankEntry.Status.IN_PAIR: set(),
    BankEntry.Status.LEFT: {BankEntry.Status.CANDIDATE},
}


@transaction.atomic
def bank_entry_set_status(*, entry: BankEntry, status: str, actor: User | None) -> BankEntry:
    if status not in BANK_STATUS_MOVES.get(entry.status, set()):
        current, wanted = BankEntry.Status(entry.status).label, BankEntry.Status(status).label
        if entry.status == BankEntry.Status.IN_PAIR:
            raise ValidationError(f"«{current}»: сначала завершите пару, затем меняйте статус.")
        if status == BankEntry.Status.IN_PAIR:
            raise ValidationError("Статус «в паре» ставится при формировании пары.")
        raise ValidationError(f"Из статуса «{current}» нельзя перейти в «{wanted}».")
    entry.status = status
    if status == BankEntry.Status.APPROVED:
        entry.approved_at = timezone.now()
        entry.approved_by_id = actor.pk if actor else None
    entry.save(update_fields=["status", "approved_at", "approved_by_id"])
    audit_log(actor=actor, action="bank_status", obj=entry, changes={"status": status})
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
