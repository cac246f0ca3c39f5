"""Subject rights (152-ФЗ): everything the school holds on a person, and its destruction with an act."""

from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Q
from django.forms.models import model_to_dict
from django.utils import timezone

from core.audit.models import AuditEntry, ErasureRecord
from core.audit.services import audit_log
from core.documents.render import docx_render, ru_date
from core.people.models import Person
from core.people.services import PERSON_FIELDS
from tenants.models import School, User


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "name") and hasattr(value, "url"):  # a FieldFile
        return value.name or ""
    return value


def person_export(*, person: Person, actor: User | None) -> dict[str, Any]:
    """All data on one person, as plain JSON-ready values."""
    data = {
        "person": {k: _plain(v) for k, v in model_to_dict(person, fields=PERSON_FIELDS).items()},
        "bank_entries": [
            {k: _plain(v) for k, v in model_to_dict(e, exclude=["person", "approved_by_id"]).items()}
            for e in person.bank_entries.all()
        ],
        "consents": [
            {k: _plain(v) for k, v in model_to_dict(c, exclude=["person", "created_by_id"]).items()}
            for c in person.consents.all()
        ],
        "curator_orders": [str(a) for a in person.curator_orders.all()],
        "journal": [
            {"at": e.at.isoformat(), "action": e.action, "by": e.actor_email}
            for e in AuditEntry.objects.filter(object_type="person", object_id=str(person.pk))
        ],
        "exported_at": timezone.now().isoformat(),
    }
    audit_log(actor=actor, action="export", obj=person)
    return data


@transaction.atomic
def person_erase(*, person: Person, school: School, actor: User | None) -> ErasureRecord:
    """Destroy the person's data and files; the generated act of destruction is what remains."""
    lines = [f"карточка участника ({person.get_category_display()})"]
    lines += [f"{c.get_kind_display()} от {ru_date(c.valid_from)}" for c in person.consents.all()]
    lines += [e.get_bank_display() for e in person.bank_entries.all()]
    scans = [c.scan for c in person.consents.all() if c.scan]
    number = (ErasureRecord.objects.select_for_update().aggregate(n=Max("number"))["n"] or 0) + 1
    performed_by = actor.get_full_name() if actor is not None else "система"
    content = docx_render(
        kind="erasure_act",
        context={
            "school": {"name": school.name},
            "number": number,
            "date": ru_date(timezone.localdate()),
            "subject": person.full_name,
            "lines": lines,
            "performed_by": performed_by,
        },
    )
    record = ErasureRecord(
        number=number,
        performed_by_email=actor.email if actor else "",
        subject=person.full_name,
        summary={"lines": lines},
    )
    record.document.save(f"erasure-{number}.docx", ContentFile(content), save=False)
    record.save()
    audit_log(actor=actor, action="erase", obj=person, changes={"act": number})
    # Journal rows keep who did what, but no longer whom: the person's name leaves the journal too.
    consent_ids = [str(pk) for pk in person.consents.values_list("pk", flat=True)]
    entry_ids = [str(pk) for pk in person.bank_entries.values_list("pk", flat=True)]
    about_person = (
        Q(object_type="person", object_id=str(person.pk))
        | Q(object_type="consent", object_id__in=consent_ids)
        | Q(object_type="bankentry", object_id__in=entry_ids)
    )
    AuditEntry.objects.filter(about_person).update(object_repr=f"участник #{person.pk}", changes={})
    person.delete()
    transaction.on_commit(lambda: [scan.storage.delete(scan.name) for scan in scans])
    return record
