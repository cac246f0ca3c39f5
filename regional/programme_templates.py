"""The region edits the templates of the personalised programme (ИПР) and adds its own.

Seed 003's three templates are seeded word for word (tenants migration 0007); the region corrects them,
writes the term of each task («в течение первого месяца», «1 четверть»), marks which forms and role models a
template is for, and archives what it no longer offers. Programmes copy a template when they are created,
so nothing here changes a programme that exists (core.programmes.templates).
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count

from tenants.catalogues import (
    MentoringForm,
    ProgrammeTemplate,
    ProgrammeTemplateSection,
    ProgrammeTemplateTask,
    RoleModel,
)
from tenants.models import User
from tenants.numbers import is_number
from tenants.services import audit_record

LIMITS = {"name": 300, "heading": 500, "title": 300, "task": 500, "term": 100, "planned_result": 500}
LABELS = {
    "name": "Название шаблона",
    "heading": "Форма и ролевая модель (как в шаблоне)",
    "note": "Примечания",
    "title": "Название раздела",
    "task": "Задание",
    "term": "Срок",
    "planned_result": "Планируемый результат",
}
NOTE_LIMIT = 3000


def clean_text(value: Any, *, field: str, required: bool = False) -> str:
    text = value.strip() if isinstance(value, str) else ""
    label = LABELS.get(field, "Примечание")
    if "\x00" in text:
        raise ValidationError({field: f"{label}: недопустимый символ (NUL)."})
    if required and not text:
        raise ValidationError({field: f"{label}: заполните поле."})
    limit = LIMITS.get(field, NOTE_LIMIT)
    if len(text) > limit:
        raise ValidationError({field: f"{label}: не длиннее {limit} символов (сейчас {len(text)})."})
    return text


def templates_overview() -> list[ProgrammeTemplate]:
    return list(
        ProgrammeTemplate.objects.annotate(task_count=Count("sections__tasks")).prefetch_related(
            "role_models__form"
        )
    )


@transaction.atomic
def template_create(*, name: Any, copy_of: int | None, actor: User | None) -> ProgrammeTemplate:
    """A new template, empty or a copy of another (the usual start: the seed's plan, then one's own)."""
    name = clean_text(name, field="name", required=True)
    source = ProgrammeTemplate.objects.filter(pk=copy_of).first() if copy_of else None
    if copy_of and source is None:
        raise ValidationError("Шаблон, который копируется, не найден.")
    last = ProgrammeTemplate.objects.order_by("-position").values_list("position", flat=True).first() or 0
    template = ProgrammeTemplate.objects.create(
        name=name,
        heading=source.heading if source else "",
        note=source.note if source else "",
        source=f"копия шаблона «{source.name}»" if source else "шаблон региона",
        position=last + 1,
    )
    if source is not None:
        for section in source.sections.prefetch_related("tasks"):
            copy = template.sections.create(title=section.title, note=section.note, position=section.position)
            ProgrammeTemplateTask.objects.bulk_create(
                ProgrammeTemplateTask(
                    section=copy,
                    task=t.task,
                    term=t.term,
                    planned_result=t.planned_result,
                    note=t.note,
                    position=t.position,
                )
                for t in section.tasks.all()
            )
    audit_record(actor=actor, action="programme_template.create", obj=template)
    return template


@transaction.atomic
def template_update(
    *,
    template: ProgrammeTemplate,
    data: dict[str, Any],
    form_codes: list[str],
    role_model_ids: list[str],
    actor: User | None,
) -> ProgrammeTemplate:
    """Name, heading, notes, and which forms and role models the template is for."""
    template.name = clean_text(data.get("name"), field="name", required=True)
    template.heading = clean_text(data.get("heading"), field="heading")
    template.note = clean_text(data.get("note"), field="note")
    known_forms = set(MentoringForm.objects.values_list("code", flat=True))
    unknown = [code for code in form_codes if code not in known_forms]
    if unknown:
        raise ValidationError({"form_codes": "Такой формы наставничества нет в справочнике."})
    ids = []
    for value in role_model_ids:
        if not is_number(value):
            raise ValidationError({"role_models": "Ролевая модель указана неверно."})
        ids.append(int(value))
    role_models = list(RoleModel.objects.filter(pk__in=ids))
    if len(role_models) != len(set(ids)):
        raise ValidationError({"role_models": "Такой ролевой модели нет в справочнике."})
    template.form_codes = list(dict.fromkeys(form_codes))  # in the order given, once each
    template.save()
    template.role_models.set(role_models)
    audit_record(actor=actor, action="programme_template.update", obj=template)
    return template


@transaction.atomic
def template_archive(*, template: ProgrammeTemplate, archived: bool, actor: User | None) -> ProgrammeTemplate:
    """An archived template is offered to no new programme; the programmes made from it keep their copy."""
    template.archived = archived
    template.save(update_fields=["archived", "updated_at"])
    audit_record(
        actor=actor, action="programme_template.archive", obj=template, details={"archived": archived}
    )
    return template


def _renumber(rows: list[Any]) -> None:
    for pos, row in enumerate(rows):
        if row.position != pos:
            row.position = pos
            row.save(update_fields=["position"])


def _shift(rows: list[Any], row: Any, step: int) -> None:
    """Move ``row`` one place up (-1) or down (+1) among ``rows``; the ends stay where they are."""
    order = [r for r in rows if r.pk != row.pk]
    at = max(0, min(len(order), [r.pk for r in rows].index(row.pk) + step))
    _renumber([*order[:at], row, *order[at:]])


def _touch(template: ProgrammeTemplate, actor: User | None, **details: Any) -> None:
    template.save(update_fields=["updated_at"])
    audit_record(actor=actor, action="programme_template.plan", obj=template, details=details)


@transaction.atomic
def section_save(
    *,
    template: ProgrammeTemplate,
    section: ProgrammeTemplateSection | None,
    data: dict[str, Any],
    actor: User | None,
) -> ProgrammeTemplateSection:
    title = clean_text(data.get("title"), field="title", required=True)
    note = clean_text(data.get("note"), field="note")
    if section is None:
        section = template.sections.create(title=title, note=note, position=template.sections.count())
    else:
        section.title, section.note = title, note
        section.save(update_fields=["title", "note"])
    _touch(template, actor, section=section.pk)
    return section


@transaction.atomic
def task_save(
    *,
    section: ProgrammeTemplateSection,
    task: ProgrammeTemplateTask | None,
    data: dict[str, Any],
    actor: User | None,
) -> ProgrammeTemplateTask:
    values = {
        "task": clean_text(data.get("task"), field="task", required=True),
        "term": clean_text(data.get("term"), field="term"),
        "planned_result": clean_text(data.get("planned_result"), field="planned_result"),
        "note": clean_text(data.get("note"), field="note"),
    }
    if task is None:
        task = section.tasks.create(**values, position=section.tasks.count())
    else:
        for name, value in values.items():
            setattr(task, name, value)
        task.save(update_fields=list(values))
    _touch(section.template, actor, task=task.pk)
    return task


@transaction.atomic
def row_move(*, row: ProgrammeTemplateSection | ProgrammeTemplateTask, step: int, actor: User | None) -> None:
    if isinstance(row, ProgrammeTemplateSection):
        _shift(list(row.template.sections.all()), row, step)
        _touch(row.template, actor, section_move=row.pk)
    else:
        _shift(list(row.section.tasks.all()), row, step)
        _touch(row.section.template, actor, task_move=row.pk)


@transaction.atomic
def row_remove(*, row: ProgrammeTemplateSection | ProgrammeTemplateTask, actor: User | None) -> None:
    if isinstance(row, ProgrammeTemplateSection):
        template = row.template
        row.delete()
        _renumber(list(template.sections.all()))
        _touch(template, actor, section_remove=row.title[:100])
    else:
        section = row.section
        row.delete()
        _renumber(list(section.tasks.all()))
        _touch(section.template, actor, task_remove=row.task[:100])
