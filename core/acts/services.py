from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max

from core.acts.models import ActFile, ActKind, CuratorAppointment, LocalAct, OrderCounter, SchoolProfile
from core.acts.selectors import act_number_taken
from core.audit.services import audit_log, changes_between
from core.documents.names import person_context
from core.documents.render import docx_render, ru_date
from core.people.models import Person
from tenants.models import School, User
from tenants.uploads import ALLOWED, upload_check

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _numbering_lock(year: int) -> None:
    """Serialise numbering within a school's year: two curators saving «№ 5» at once cannot both pass."""
    OrderCounter.objects.select_for_update().get_or_create(year=year)


def act_number_check(*, kind: str, number: str, on: date | None, exclude_pk: int | None = None) -> None:
    """Refuse a number already used in the same register this year (``core.acts.models.number_register``)."""
    if not number or on is None:
        return
    _numbering_lock(on.year)
    other = act_number_taken(kind=kind, number=number, year=on.year, exclude_pk=exclude_pk)
    if other is not None:
        raise ValidationError(
            {"number": f"Номер {number} в {on.year} году уже занят: {other} «{other.title[:80]}»."},
            code="duplicate_number",
        )


@transaction.atomic
def act_create(*, data: dict[str, Any], actor: User | None) -> LocalAct:
    act_number_check(kind=data["kind"], number=data.get("number", ""), on=data.get("date"))
    act = LocalAct.objects.create(created_by_id=actor.pk if actor else None, **data)
    audit_log(actor=actor, action="create", obj=act)
    return act


EDITABLE_FIELDS = ("number", "date", "title")


@transaction.atomic
def act_update(*, act: LocalAct, data: dict[str, Any], actor: User | None) -> LocalAct:
    """Correct a draft's number, date or title (a new file is a new version: ``act_file_add``).

    An act in force or repealed is a signed document: it is corrected by a later act, not edited.
    """
    act = LocalAct.objects.select_for_update().get(pk=act.pk)
    if act.status != LocalAct.Status.DRAFT:
        raise ValidationError(
            f"Исправлять можно только проект. Акт «{act.get_status_display()}» отменяется или изменяется "
            "другим актом («Утратил силу»).",
            code="not_draft",
        )
    fields = {name: data[name] for name in EDITABLE_FIELDS if name in data}
    act_number_check(
        kind=act.kind,
        number=fields.get("number", act.number),
        on=fields.get("date", act.date),
        exclude_pk=act.pk,
    )
    before = {name: getattr(act, name) for name in fields}
    for name, value in fields.items():
        setattr(act, name, value)
    changes = changes_between(before, fields)
    if changes:
        act.save(update_fields=list(changes))
        audit_log(actor=actor, action="update", obj=act, changes=changes)
    return act


@transaction.atomic
def act_repeal(*, act: LocalAct, by: LocalAct, on: date | None, actor: User | None) -> LocalAct:
    """Mark ``act`` (a draft or an act in force) «утратил силу» by the later act ``by`` from ``on``.

    ``on`` defaults to the later act's date; it may lie in the future (the act stays in force until then).
    """
    act = LocalAct.objects.select_for_update().get(pk=act.pk)
    if act.status == LocalAct.Status.REPEALED:
        raise ValidationError("Акт уже утратил силу.", code="already_repealed")
    if by.pk == act.pk:
        raise ValidationError({"repealed_by": "Акт не может отменить сам себя."}, code="self_repeal")
    if by.status == LocalAct.Status.REPEALED or not (by.number and by.date):
        raise ValidationError(
            {"repealed_by": "Отменяющий акт должен иметь номер и дату и не должен сам утратить силу."},
            code="bad_repealing_act",
        )
    if act.date is not None and by.date is not None and by.date < act.date:
        raise ValidationError(
            {"repealed_by": f"Отменяющий акт ({by}) издан раньше отменяемого ({act.date:%d.%m.%Y})."},
            code="earlier_act",
        )
    on = on or by.date or act.date
    if on is None:  # unreachable: the repealing act has a date (checked above)
        raise ValidationError({"repealed_on": "Укажите дату."})
    if act.date is not None and on < act.date:
        raise ValidationError(
            {"repealed_on": f"Дата утраты силы раньше даты самого акта ({act.date:%d.%m.%Y})."},
            code="repealed_before_date",
        )
    old = act.status
    act.repealed_from, act.status = old, LocalAct.Status.REPEALED
    act.repealed_by, act.repealed_on = by, on
    act.save(update_fields=["repealed_from", "status", "repealed_by", "repealed_on"])
    audit_log(
        actor=actor,
        action="repeal",
        obj=act,
        changes={"status": [old, act.status], "repealed_by": str(by), "repealed_on": ru_date(on)},
    )
    return act


# «Утратил силу» is not a move of its own: it needs the later act and the date (``act_repeal``).
ALLOWED_STATUS_MOVES = {
    LocalAct.Status.DRAFT: {LocalAct.Status.IN_FORCE},
    LocalAct.Status.IN_FORCE: set(),
    LocalAct.Status.REPEALED: set(),
}


@transaction.atomic
def act_set_status(*, act: LocalAct, status: str, actor: User | None) -> LocalAct:
    if status not in ALLOWED_STATUS_MOVES[LocalAct.Status(act.status)]:
        raise ValidationError(
            f"Нельзя перевести акт из «{act.get_status_display()}» в «{LocalAct.Status(status).label}».",
            code="bad_status_move",
        )
    if status == LocalAct.Status.IN_FORCE and not (act.number and act.date):
        raise ValidationError("Чтобы акт вступил в силу, укажите его номер и дату.", code="needs_number")
    if status == LocalAct.Status.IN_FORCE:
        act_number_check(kind=act.kind, number=act.number, on=act.date, exclude_pk=act.pk)
    old = act.status
    act.status = status
    act.save(update_fields=["status"])
    audit_log(actor=actor, action="status", obj=act, changes={"status": [old, status]})
    return act


def act_file_attach(
    *, act: LocalAct, content: Any, name: str, content_type: str, size: int, actor: User | None
) -> ActFile:
    version = (act.files.aggregate(v=Max("version"))["v"] or 0) + 1
    act_file = ActFile(
        act=act,
        version=version,
        original_name=name[:255],
        content_type=content_type,
        size=size,
        uploaded_by_id=actor.pk if actor else None,
    )
    # The stored name's extension follows the checked content, never the uploaded name: a 300-character
    # «extension» made the path overflow the field and the storage answered a bare 400.
    extension = {ctype: ext for ext, ctype in ALLOWED.items()}.get(content_type, "bin")
    act_file.file.save(f"act-{act.pk}-v{version}.{extension}", content, save=False)
    act_file.save()
    return act_file


@transaction.atomic
def act_file_add(*, act: LocalAct, upload: UploadedFile, actor: User | None) -> ActFile:
    checked = upload_check(upload)
    act_file = act_file_attach(
        act=act,
        content=upload,
        name=upload.name or f"file.{checked.extension}",
        content_type=checked.content_type,
        size=checked.size,
        actor=actor,
    )
    audit_log(actor=actor, action="file_add", obj=act, changes={"version": act_file.version})
    return act_file


def act_attach_generated_docx(*, act: LocalAct, content: bytes, actor: User | None) -> ActFile:
    """A generated order's DOCX as the act's next file version."""
    return act_file_attach(
        act=act,
        content=ContentFile(content),
        name=f"Приказ_{act.number}.docx",
        content_type=DOCX,
        size=len(content),
        actor=actor,
    )


def order_number_next(*, on: date) -> str:
    """The next number of a generated order in the year of ``on`` (per school: it lives in its schema)."""
    counter, _ = OrderCounter.objects.select_for_update().get_or_create(year=on.year)
    while True:  # a number typed by hand for an earlier order is skipped, never given twice
        counter.last_number += 1
        number = f"{counter.last_number}-н"
        if act_number_taken(kind=ActKind.ORDER_PAIRS, number=number, year=on.year) is None:
            break
    counter.save(update_fields=["last_number"])
    return number


def _school_context(school: School) -> dict[str, str]:
    return {"name": school.name, "short_name": school.short_name, "inn": school.inn}


@transaction.atomic
def curator_order_generate(*, school: School, curator: Person, on: date, actor: User | None) -> LocalAct:
    """The order appointing a curator: numbered, filled from the data, linked to the curator."""
    number = order_number_next(on=on)
    act = LocalAct.objects.create(
        kind=ActKind.ORDER_CURATOR,
        number=number,
        date=on,
        title=f"О назначении куратора внедрения целевой модели наставничества ({curator.short_name})",
        curator=curator,
        generated=True,
        created_by_id=actor.pk if actor else None,
    )
    content = docx_render(
        kind="order_curator",
        context={
            "school": _school_context(school),
            "number": number,
            "date": ru_date(on),
            "curator": person_context(curator, position=curator.position),
        },
    )
    act_attach_generated_docx(act=act, content=content, actor=actor)
    CuratorAppointment.objects.create(person=curator, order=act, since=on)
    audit_log(actor=actor, action="generate", obj=act, changes={"curator": curator.full_name})
    return act


def school_profile_get() -> SchoolProfile:
    profile, _ = SchoolProfile.objects.get_or_create(pk=1)
    return profile


@transaction.atomic
def school_profile_update(*, site_section_url: str, actor: User | None) -> SchoolProfile:
    profile = school_profile_get()
    old = profile.site_section_url
    profile.site_section_url = site_section_url
    profile.save(update_fields=["site_section_url", "updated_at"])
    audit_log(
        actor=actor, action="update", obj=profile, changes={"site_section_url": [old, site_section_url]}
    )
    return profile
