"""Subject rights (152-ФЗ): everything the school holds on a person, and its destruction with an act.

Erasure (``person_erase``) destroys the card and everything hanging on it (consents and their scans, bank
entries, pair memberships, survey answers, curator appointments), ends or repairs the pairs the person was
in, and takes the person's name out of every place it was copied to: the journal, act titles, pair
suspension reasons, meeting notes, programme texts and the generated DOCX orders. What remains is the act
of destruction (``ErasureRecord``), which must name the subject, and lists everything that was destroyed.

Names are matched in the forms the system writes them («Фамилия Имя Отчество», «Фамилия И. О.»); a name
typed in another grammatical case into free text, or printed in an uploaded scan, cannot be found this way.
"""

import io
from typing import Any

from django.apps import apps
from django.core.files.base import ContentFile
from django.db import connection, models, transaction
from django.db.models import Max, Q
from django.db.models.fields.files import FieldFile
from django.db.models.functions import Cast
from django.forms.models import model_to_dict
from django.utils import timezone
from docx import Document

from core.acts.models import ActFile
from core.audit.models import AuditEntry, ErasureRecord
from core.audit.services import audit_log
from core.documents.names import declined_forms
from core.documents.render import docx_render, ru_date
from core.pairs.models import Pair, PairMember
from core.pairs.services import pair_end
from core.people.models import Person
from core.people.services import PERSON_FIELDS
from tenants.models import Membership, Role, School, User

# Why a pair ends when erasing a member leaves it without a mentor or a mentee: erasure follows the
# withdrawal of the consent to processing (reason from the regional catalogue).
ERASURE_END_REASON = "consent_withdrawn"
# Roles that exist because of the person's card; staff roles are an employment matter, not the card's.
CARD_ROLES = (Role.MENTOR, Role.MENTEE)


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, FieldFile):
        # An empty file field has no .url (it raises ValueError): a consent without a scan is "".
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
        "pairs": [
            {"pair": m.pair_id, "role": m.role, "since": _plain(m.since), "until": _plain(m.until)}
            for m in person.pair_memberships.all()
        ],
        "survey_answers": [
            {"survey": r.template_code, "phase": r.phase, "answers": r.answers, "at": _plain(r.submitted_at)}
            for r in person.survey_responses.all()
        ],
        "journal": [
            {"at": e.at.isoformat(), "action": e.action, "by": e.actor_email}
            for e in AuditEntry.objects.filter(object_type="person", object_id=str(person.pk))
        ],
        "exported_at": timezone.now().isoformat(),
    }
    audit_log(actor=actor, action="export", obj=person)
    return data


# --- erasure ------------------------------------------------------------------------------------------


def _name_variants(person: Person) -> set[str]:
    """The forms in which the system writes a name into journals, titles and documents (generated orders
    print it declined: «назначить куратором Белову Ольгу Сергеевну»)."""
    return {
        person.full_name,
        person.short_name,
        f"{person.last_name} {person.first_name}",
        *declined_forms(person),
    }


class _Scrubber:
    """Replaces the person's name (in the forms the system writes it) with a pseudonym."""

    def __init__(self, person: Person) -> None:
        self.pseudonym = f"участник #{person.pk}"
        # A short form («Иванов И. И.», «Иванов Иван») is scrubbed only if it names nobody else in the
        # school: «Иванов Иван» must not turn a namesake's «Иванов Иван Петрович» into «участник #1 Петрович».
        # The full name is always scrubbed: the duty to erase wins over a perfect namesake.
        others = [
            text
            for other in Person.objects.exclude(pk=person.pk).only("last_name", "first_name", "middle_name")
            for text in _name_variants(other)
        ]
        variants = {person.full_name} | {
            v for v in _name_variants(person) if not any(v in other for other in others)
        }
        # Longest first, so «Иванов Иван Иванович» is not left as «участник #1 Иванович».
        self.names = sorted((v for v in variants if v.strip()), key=len, reverse=True)

    def text(self, value: str) -> str:
        for name in self.names:
            value = value.replace(name, self.pseudonym)
        return value

    def json(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.json(v) for v in value]
        if isinstance(value, dict):
            return {self.text(k): self.json(v) for k, v in value.items()}
        return value

    def found_in(self, value: str) -> bool:
        return any(name in value for name in self.names)


def _text_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField | models.JSONField)
        and not isinstance(f, models.FileField)
    ]


def _scrub_school_tables(scrubber: _Scrubber, *, skip: tuple[type[models.Model], ...]) -> int:
    """Every row of the school's tables whose text or JSON carries the name; returns how many were changed."""
    changed = 0
    for model in apps.get_app_config("core").get_models():
        if model in skip or model._meta.proxy:
            continue
        fields = _text_fields(model)
        if not fields:
            continue
        annotations = {f"_t_{f.name}": Cast(f.name, models.TextField()) for f in fields}
        match = Q()
        for name in scrubber.names:
            for f in fields:
                match |= Q(**{f"_t_{f.name}__contains": name})
        for row in model._default_manager.annotate(**annotations).filter(match):
            for f in fields:
                value = getattr(row, f.attname)
                if isinstance(f, models.JSONField):
                    setattr(row, f.attname, scrubber.json(value))
                elif isinstance(value, str):
                    setattr(row, f.attname, scrubber.text(value))
            # .update(), not .save(): no auto_now stamps, no signals; the row only loses the name.
            model._default_manager.filter(pk=row.pk).update(
                **{f.attname: getattr(row, f.attname) for f in fields}
            )
            changed += 1
    return changed


def _scrub_docx(content: bytes, scrubber: _Scrubber) -> bytes | None:
    """The DOCX with the name replaced in every paragraph (body, tables, headers, footers), or None."""
    doc = Document(io.BytesIO(content))

    def paragraphs() -> Any:
        def walk(container: Any) -> Any:
            yield from container.paragraphs
            for table in getattr(container, "tables", []):
                for row in table.rows:
                    for cell in row.cells:
                        yield from walk(cell)

        yield from walk(doc)
        for section in doc.sections:
            yield from walk(section.header)
            yield from walk(section.footer)

    touched = False
    for paragraph in paragraphs():
        if not scrubber.found_in(paragraph.text):
            continue
        touched = True
        for run in paragraph.runs:
            run.text = scrubber.text(run.text)
        if scrubber.found_in(paragraph.text) and paragraph.runs:
            # The name was split across runs: keep the first run's formatting for the whole paragraph.
            text = scrubber.text(paragraph.text)
            paragraph.runs[0].text = text
            for run in paragraph.runs[1:]:
                run.text = ""
    if not touched:
        return None
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _pairs_end_or_repair(person: Person, actor: User | None) -> list[str]:
    """Pairs the person is in now: repaired when a mentor and a mentee remain, otherwise ended."""
    lines = []
    today = timezone.localdate()
    memberships = (
        PairMember.objects.filter(person=person, until__isnull=True)
        .exclude(pair__status=Pair.Status.ENDED)
        .select_related("pair")
    )
    for membership in memberships:
        pair = membership.pair
        remaining = set(
            pair.members.filter(until__isnull=True).exclude(person=person).values_list("role", flat=True)
        )
        if {PairMember.Role.MENTOR, PairMember.Role.MENTEE} <= remaining:
            lines.append(f"{pair}: участник выведен из пары, пара продолжает работу")
        else:
            pair_end(pair=pair, on=max(today, pair.started_on), reason_code=ERASURE_END_REASON, actor=actor)
            lines.append(f"{pair}: завершена — без участника в ней не осталось наставника или наставляемого")
    return lines


@transaction.atomic
def person_erase(*, person: Person, school: School, actor: User | None) -> ErasureRecord:
    """Destroy the person's data and files; the generated act of destruction is what remains."""
    scrubber = _Scrubber(person)
    subject = person.full_name
    lines = [f"карточка участника ({person.get_category_display()})"]
    consents = list(person.consents.all())
    lines += [f"{c.get_kind_display()} от {ru_date(c.valid_from)}" for c in consents]
    lines += [f"скан согласия «{c.get_kind_display()}» (файл)" for c in consents if c.scan]
    lines += [e.get_bank_display() for e in person.bank_entries.all()]
    for m in person.pair_memberships.select_related("pair").order_by("since"):
        period = f"с {ru_date(m.since)}" + (f" по {ru_date(m.until)}" if m.until else "")
        lines.append(f"участие в паре: {m.pair}, {m.get_role_display()}, {period}")
    answers = list(person.survey_responses.order_by("submitted_at"))
    lines += [f"ответы на анкету мониторинга «{a.template_code}» ({a.get_phase_display()})" for a in answers]
    lines += [f"назначение куратором с {ru_date(a.since)}" for a in person.curator_appointments.all()]
    if person.user_id is not None:
        roles = Membership.objects.filter(user_id=person.user_id, school=school, role__in=CARD_ROLES)
        lines += [f"доступ учётной записи к школе: роль «{Role(r.role).label}»" for r in roles]
        roles.delete()
    lines += _pairs_end_or_repair(person, actor)
    scans = [c.scan for c in consents if c.scan]

    # Journal rows keep who did what, but no longer whom.
    consent_ids = [str(c.pk) for c in consents]
    entry_ids = [str(pk) for pk in person.bank_entries.values_list("pk", flat=True)]
    about_person = (
        Q(object_type="person", object_id=str(person.pk))
        | Q(object_type="consent", object_id__in=consent_ids)
        | Q(object_type="bankentry", object_id__in=entry_ids)
    )
    AuditEntry.objects.filter(about_person).update(object_repr=scrubber.pseudonym, changes={})
    # Copies elsewhere: pair journal entries, act titles, suspension reasons, notes… Files next.
    copies = _scrub_school_tables(scrubber, skip=(Person, ErasureRecord))
    rewritten: list[tuple[FieldFile, bytes]] = []
    for act_file in ActFile.objects.filter(act__generated=True).select_related("act"):
        if not act_file.file.name.endswith(".docx"):
            continue
        with act_file.file.open("rb") as handle:
            scrubbed = _scrub_docx(handle.read(), scrubber)
        if scrubbed is not None:
            rewritten.append((act_file.file, scrubbed))
            ActFile.objects.filter(pk=act_file.pk).update(size=len(scrubbed))
    if copies:
        lines.append(
            f"упоминания ФИО в журнале и документах школы заменены на «{scrubber.pseudonym}»: {copies}"
        )
    if rewritten:
        lines.append(f"ФИО убрано из сформированных приказов (DOCX): {len(rewritten)}")

    # FOR UPDATE is dropped on aggregates: a transaction-scoped advisory lock (per schema) serialises the
    # numbering, so two erasures at once never draw the same act number.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':erasure-number'))")
    number = (ErasureRecord.objects.aggregate(n=Max("number"))["n"] or 0) + 1
    performed_by = actor.get_full_name() if actor is not None else "система"
    content = docx_render(
        kind="erasure_act",
        context={
            "school": {"name": school.name},
            "number": number,
            "date": ru_date(timezone.localdate()),
            "subject": subject,
            "lines": lines,
            "performed_by": performed_by,
        },
    )
    record = ErasureRecord(
        number=number,
        performed_by_email=actor.email if actor else "",
        subject=subject,
        summary={"lines": lines},
    )
    record.document.save(f"erasure-{number}.docx", ContentFile(content), save=False)
    record.save()
    audit_log(actor=actor, action="erase", obj=person, changes={"act": number})
    AuditEntry.objects.filter(about_person).update(object_repr=scrubber.pseudonym)  # the «erase» row too
    person.delete()  # cascades: consents, bank entries, pair memberships, survey answers, appointments

    def files_after_commit() -> None:
        for scan in scans:
            scan.storage.delete(scan.name)
        for field_file, data in rewritten:
            # Same name, new content: the act's file versions keep pointing at it.
            with field_file.storage.open(field_file.name or "", "wb") as handle:
                handle.write(data)

    transaction.on_commit(files_after_commit)
    return record
