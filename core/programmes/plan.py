"""The plan of a personalised programme: sections and tasks edited by the mentor and the curator.

Seed 002: the programme «разрабатывается совместно наставником и наставляемым»; seed 003 note 7: «Перечень и
темы заданий определяются наставником». The mentor (or the curator) edits while the programme is a draft or
«на доработке»; a change to an approved or running programme opens a new draft version (status «на
доработке»), which the curator approves again — approval freezes a ProgrammeVersion. The mentee comments.
"""

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from core.audit.services import audit_log
from core.documents.render import ru_date
from core.pairs.models import Pair
from core.pairs.services import pair_require_working
from core.programmes.models import (
    Programme,
    ProgrammeComment,
    ProgrammeSection,
    ProgrammeTask,
    ProgrammeVersion,
)
from tenants.models import User

Status = Programme.Status
EDITABLE = (Status.DRAFT, Status.REVISION)
REOPENABLE = (Status.APPROVED, Status.RUNNING)  # an edit here starts a new draft version
EDITORS = ("mentor", "staff")


def plan_require_editable(
    *, programme: Programme, role: str | None, actor: User | None, changing: bool = True
) -> None:
    """Refuse who may not edit and what may not be edited; reopen an approved plan as a new draft version
    (only when something actually changes: an empty edit must not start a version)."""
    if role not in EDITORS:
        raise PermissionDenied(
            "План программы составляют наставник и куратор; наставляемый может комментировать."
        )
    if programme.status not in EDITABLE + REOPENABLE:
        raise ValidationError(
            f"Программа «{programme.get_status_display()}»: план менять нельзя. "
            "Менять можно черновик или программу на доработке."
        )
    if programme.pair.status == Pair.Status.ENDED:
        raise ValidationError(f"Пара № {programme.pair_id} завершена: план её программы больше не меняется.")
    pair_require_working(programme.pair, on=timezone.localdate(), what="менять план программы")
    if changing and programme.status in REOPENABLE:
        old = programme.status
        programme.resume_status, programme.status = old, Status.REVISION
        programme.save(update_fields=["resume_status", "status"])
        audit_log(actor=actor, action="status", obj=programme, changes={"status": [old, Status.REVISION]})


def _text(value: Any, *, field: str, label: str, limit: int, required: bool = True) -> str:
    text = str(value or "").strip()
    if "\x00" in text:
        raise ValidationError({field: f"{label}: недопустимый символ (NUL)."})
    if required and not text:
        raise ValidationError({field: f"{label}: заполните поле."})
    if len(text) > limit:
        raise ValidationError({field: f"{label}: не длиннее {limit} символов (сейчас {len(text)})."})
    return text


def task_deadline_check(*, programme: Programme, due_date: date | None) -> None:
    if due_date is not None and not programme.starts_on <= due_date <= programme.ends_on:
        raise ValidationError(
            {
                "due_date": f"Срок задания должен лежать в сроках программы: с {ru_date(programme.starts_on)} "
                f"по {ru_date(programme.ends_on)}."
            }
        )


def _renumber(rows: list[Any]) -> None:
    for pos, row in enumerate(rows):
        if row.position != pos:
            row.position = pos
            row.save(update_fields=["position"])


def _place(rows: list[Any], row: Any, position: int | None) -> None:
    """Put ``row`` at ``position`` (0-based, clipped) among ``rows`` and number them 0…n-1."""
    others = [r for r in rows if r.pk != row.pk]
    at = len(others) if position is None else max(0, min(position, len(others)))
    _renumber([*others[:at], row, *others[at:]])


def _audit(programme: Programme, actor: User | None, **changes: Any) -> None:
    audit_log(actor=actor, action="plan", obj=programme, changes=changes)


@transaction.atomic
def section_add(
    *, programme: Programme, data: dict[str, Any], role: str | None, actor: User | None
) -> ProgrammeSection:
    title = _text(data.get("title"), field="title", label="Название раздела", limit=300)
    plan_require_editable(programme=programme, role=role, actor=actor)
    section = ProgrammeSection.objects.create(programme=programme, title=title, position=10**6)
    _place(list(programme.sections.all()), section, data.get("position"))
    _audit(programme, actor, section_add=title)
    return section


@transaction.atomic
def section_edit(
    *, section: ProgrammeSection, data: dict[str, Any], role: str | None, actor: User | None
) -> ProgrammeSection:
    programme = section.programme
    title = (
        _text(data["title"], field="title", label="Название раздела", limit=300)
        if "title" in data
        else section.title
    )
    last = programme.sections.count() - 1  # «down» on the last section changes nothing
    moving = data.get("position") is not None and min(data["position"], last) != section.position
    changing = title != section.title or moving
    plan_require_editable(programme=programme, role=role, actor=actor, changing=changing)
    if not changing:
        return section
    section.title = title
    section.save(update_fields=["title"])
    if data.get("position") is not None:
        _place(list(programme.sections.all()), section, data["position"])
    _audit(programme, actor, section_edit=section.pk)
    return section


@transaction.atomic
def section_remove(*, section: ProgrammeSection, role: str | None, actor: User | None) -> None:
    programme = section.programme
    plan_require_editable(programme=programme, role=role, actor=actor)
    title = section.title
    section.delete()
    _renumber(list(programme.sections.all()))
    _audit(programme, actor, section_remove=title)


@transaction.atomic
def task_add(
    *, section: ProgrammeSection, data: dict[str, Any], role: str | None, actor: User | None
) -> ProgrammeTask:
    programme = section.programme
    text = _text(data.get("task"), field="task", label="Задание", limit=500)
    planned = _text(
        data.get("planned_result"),
        field="planned_result",
        label="Планируемый результат",
        limit=500,
        required=False,
    )
    task_deadline_check(programme=programme, due_date=data.get("due_date"))
    plan_require_editable(programme=programme, role=role, actor=actor)
    task = ProgrammeTask.objects.create(
        section=section, task=text, planned_result=planned, due_date=data.get("due_date"), position=10**6
    )
    _place(list(section.tasks.all()), task, data.get("position"))
    _audit(programme, actor, task_add=text[:100])
    return task


@transaction.atomic
def task_edit(
    *, task: ProgrammeTask, data: dict[str, Any], role: str | None, actor: User | None
) -> ProgrammeTask:
    """Text, deadline and planned result; ``position`` reorders; ``section`` moves it to another section."""
    old_section = task.section
    programme = old_section.programme
    before = (task.task, task.planned_result, task.due_date, task.position)
    if "task" in data:
        task.task = _text(data["task"], field="task", label="Задание", limit=500)
    if "planned_result" in data:
        task.planned_result = _text(
            data["planned_result"],
            field="planned_result",
            label="Планируемый результат",
            limit=500,
            required=False,
        )
    if "due_date" in data:
        task_deadline_check(programme=programme, due_date=data["due_date"])
        if data["due_date"] != task.due_date:
            task.due_note = ""  # someone chose the date: the template's «срок не распознан» no longer applies
        task.due_date = data["due_date"]
    target = data.get("section") or old_section
    if isinstance(target, int):
        target = programme.sections.filter(pk=target).first()
    if not isinstance(target, ProgrammeSection) or target.programme_id != programme.pk:
        raise ValidationError({"section": "Такого раздела в этой программе нет."})
    moved = target.pk != old_section.pk
    position = data.get("position")
    last = max(task.position, target.tasks.count() - 1)  # «down» on the last task changes nothing
    at = task.position if position is None else min(position, last)
    changing = moved or (task.task, task.planned_result, task.due_date, at) != before
    plan_require_editable(programme=programme, role=role, actor=actor, changing=changing)
    if not changing:
        return task
    task.section = target
    task.save()
    if moved or data.get("position") is not None:
        _place(list(target.tasks.all()), task, data.get("position"))
    if moved:
        _renumber(list(old_section.tasks.all()))
    _audit(programme, actor, task_edit=task.pk)
    return task


@transaction.atomic
def task_remove(*, task: ProgrammeTask, role: str | None, actor: User | None) -> None:
    section = task.section
    plan_require_editable(programme=section.programme, role=role, actor=actor)
    text = task.task
    task.delete()
    _renumber(list(section.tasks.all()))
    _audit(section.programme, actor, task_remove=text[:100])


def plan_snapshot(programme: Programme) -> list[dict[str, Any]]:
    return [
        {
            "title": section.title,
            "tasks": [
                {
                    "task": t.task,
                    "due_date": t.due_date.isoformat() if t.due_date else None,
                    "planned_result": t.planned_result,
                }
                for t in section.tasks.all()
            ],
        }
        for section in programme.sections.prefetch_related("tasks")
    ]


def version_freeze(*, programme: Programme, actor: User | None) -> ProgrammeVersion:
    """Called inside the approving transaction: the plan as approved becomes version n+1."""
    last = programme.versions.aggregate(n=Max("number"))["n"] or 0
    return ProgrammeVersion.objects.create(
        programme=programme,
        number=last + 1,
        plan=plan_snapshot(programme),
        approved_at=programme.approved_at or timezone.now(),
        approved_by_id=actor.pk if actor else None,
        approved_by_name=actor.get_full_name() if actor else "",
    )


@transaction.atomic
def comment_add(
    *, programme: Programme, data: dict[str, Any], role: str | None, actor: User | None
) -> ProgrammeComment:
    if role not in ("mentor", "mentee", "staff"):
        raise PermissionDenied("Комментировать программу могут участники пары и куратор.")
    text = _text(data.get("text"), field="text", label="Комментарий", limit=2000)
    task = data.get("task")
    if isinstance(task, int):
        task = ProgrammeTask.objects.filter(pk=task, section__programme=programme).first()
        if task is None:
            raise ValidationError({"task": "Такого задания в этой программе нет."})
    if programme.status in (Status.COMPLETED, Status.TERMINATED):
        raise ValidationError("Программа закрыта: комментарии больше не принимаются.")
    pair_require_working(programme.pair, on=timezone.localdate(), what="комментировать программу")
    comment = ProgrammeComment.objects.create(
        programme=programme,
        task=task,
        text=text,
        author_id=actor.pk if actor else None,
        author_name=actor.get_full_name() if actor else "",
        role=role,
    )
    _audit(programme, actor, comment=comment.pk)
    return comment
