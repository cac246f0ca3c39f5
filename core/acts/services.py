from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max

from core.acts.models import ActFile, ActKind, CuratorAppointment, LocalAct, OrderCounter, SchoolProfile
from core.audit.services import audit_log
from core.documents.render import docx_render, ru_date
from core.people.models import Person
from tenants.models import School, User
from tenants.uploads import ALLOWED, upload_check

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@transaction.atomic
def act_create(*, data: dict[str, Any], actor: User | None) -> LocalAct:
    act = LocalAct.objects.create(created_by_id=actor.pk if actor else None, **data)
    audit_log(actor=actor, action="create", obj=act)
    return act


ALLOWED_STATUS_MOVES = {
    LocalAct.Status.DRAFT: {LocalAct.Status.IN_FORCE},
    LocalAct.Status.IN_FORCE: {LocalAct.Status.REPEALED},
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
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"{counter.last_number}-н"


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
            "curator": {
                "full_name": curator.full_name,
                "short_name": curator.short_name,
                "position": curator.position,
            },
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
