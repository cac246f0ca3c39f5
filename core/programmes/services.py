"""Personalised programmes: created from the form's template, checked dates, a lifecycle with roles."""

from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit.services import audit_log
from core.documents.render import docx_render, ru_date
from core.notifications.services import programme_status_notify
from core.pairs.models import Pair, PairMember
from core.pairs.services import pair_require_working
from core.programmes.models import Programme, ProgrammeTask
from core.programmes.plan import task_deadline_check, version_freeze
from core.programmes.stages import stage_check, stage_fit
from core.programmes.templates import plan_from_template, template_for
from tenants.models import School, User

Status = Programme.Status

# Who may move a programme from one status to another.
MOVES: dict[tuple[str, str], set[str]] = {
    (Status.DRAFT, Status.REVIEW): {"mentor", "staff"},
    (Status.REVIEW, Status.DRAFT): {"staff"},
    (Status.REVIEW, Status.APPROVED): {"staff"},
    (Status.REVIEW, Status.REVISION): {"staff"},  # returned for rework
    (Status.REVISION, Status.REVIEW): {"mentor", "staff"},
    (Status.REVISION, Status.APPROVED): {"staff"},  # the curator approves the new version directly
    (Status.APPROVED, Status.RUNNING): {"mentor", "staff"},
    (Status.RUNNING, Status.COMPLETED): {"staff"},
    (Status.APPROVED, Status.TERMINATED): {"staff"},
    (Status.RUNNING, Status.TERMINATED): {"staff"},
    (Status.REVISION, Status.TERMINATED): {"staff"},
}


def programme_dates_check(*, starts_on: date, ends_on: date, extended: bool) -> None:
    if ends_on <= starts_on:
        raise ValidationError({"ends_on": "Окончание программы раньше её начала."})
    if ends_on < starts_on + relativedelta(months=3):
        raise ValidationError({"ends_on": "Программа длится не меньше 3 месяцев."})
    if ends_on > starts_on + relativedelta(years=1) and not extended:
        raise ValidationError({"ends_on": "Программа длится не больше года; дольше — только продлением."})
    if ends_on > starts_on + relativedelta(years=2):
        raise ValidationError({"ends_on": "Даже с продлением программа не длиннее двух лет."})


@transaction.atomic
def programme_create(*, pair: Pair, starts_on: date, ends_on: date, actor: User | None) -> Programme:
    if hasattr(pair, "programme"):
        raise ValidationError("У этой пары уже есть программа.")
    pair_require_working(pair, on=timezone.localdate(), what="составлять программу")
    if starts_on < pair.started_on:
        raise ValidationError({"starts_on": "Программа не может начаться раньше пары."})
    programme_dates_check(starts_on=starts_on, ends_on=ends_on, extended=False)
    programme = Programme.objects.create(
        pair=pair,
        title=f"Персонализированная программа наставничества пары № {pair.pk}",
        starts_on=starts_on,
        ends_on=ends_on,
    )
    # With no template for the pair's form and role model the plan starts empty: the mentor writes it.
    plan_from_template(
        programme=programme, template=template_for(form_code=pair.form_code, role_model_id=pair.role_model_id)
    )
    audit_log(actor=actor, action="create", obj=programme)
    return programme


@transaction.atomic
def programme_move(*, programme: Programme, to: str, role: str | None, actor: User | None) -> Programme:
    if to not in Status.values:
        raise ValidationError("Укажите новый статус программы из списка.", code="unknown_status")
    allowed = MOVES.get((programme.status, to))
    if allowed is None:
        raise ValidationError(
            f"Нельзя перевести программу из «{programme.get_status_display()}» в «{Status(to).label}»."
        )
    if role not in allowed:
        raise PermissionDenied("Этот шаг делает куратор.")
    if to != Status.TERMINATED:  # terminating is how a curator may settle a suspended pair
        pair_require_working(programme.pair, on=timezone.localdate(), what="менять статус программы")
    old = programme.status
    programme.status = to
    if to == Status.APPROVED:
        programme.approved_at = timezone.now()
        programme.approved_by_id = actor.pk if actor else None
        version_freeze(programme=programme, actor=actor)
        if programme.resume_status:  # a reworked plan of a running programme: it keeps running
            programme.status, programme.resume_status = programme.resume_status, ""
    if to in (Status.COMPLETED, Status.TERMINATED):
        programme.completed_on = timezone.localdate()  # the actual day, which «completed by D» reads
    old_stage = programme.stage
    # seed 001: the stage follows the status
    programme.stage = stage_fit(stage=programme.stage, status=programme.status)
    programme.save(
        update_fields=["status", "stage", "approved_at", "approved_by_id", "completed_on", "resume_status"]
    )
    changes: dict[str, Any] = {"status": [old, to]}
    if programme.stage != old_stage:
        changes["stage"] = [old_stage, programme.stage]
    entry = audit_log(actor=actor, action="status", obj=programme, changes=changes)
    programme_status_notify(
        programme=programme, old=old, to=to, actor_id=actor.pk if actor else None, event=entry.pk
    )
    return programme


@transaction.atomic
def programme_update(
    *, programme: Programme, data: dict[str, Any], role: str | None, actor: User | None
) -> Programme:
    if role != "staff":
        raise PermissionDenied("Сроки и этап программы меняет куратор.")
    pair_require_working(programme.pair, on=timezone.localdate(), what="менять программу")
    extended = bool(data.get("extended", programme.extended))
    starts_on, ends_on = data.get("starts_on", programme.starts_on), data.get("ends_on", programme.ends_on)
    programme_dates_check(starts_on=starts_on, ends_on=ends_on, extended=extended)
    stage = data.get("stage", programme.stage)
    if stage != programme.stage:
        stage_check(stage=stage, status=programme.status)
    outside = (
        ProgrammeTask.objects.filter(section__programme=programme, due_date__isnull=False)
        .exclude(due_date__range=(starts_on, ends_on))
        .count()
    )
    if outside:  # every deadline lies within the programme's dates, also after the dates change
        raise ValidationError(
            {"ends_on": f"Сроки заданий ({outside}) выйдут за новые даты программы: сначала перенесите их."}
        )
    programme.starts_on, programme.ends_on, programme.extended = starts_on, ends_on, extended
    programme.stage = stage
    programme.save()
    audit_log(
        actor=actor,
        action="update",
        obj=programme,
        changes={"ends_on": ru_date(ends_on), "stage": programme.stage},
    )
    return programme


@transaction.atomic
def task_fill(
    *, task: ProgrammeTask, data: dict[str, Any], role: str | None, actor: User | None
) -> ProgrammeTask:
    """The mentor (or the curator) records the actual result and the assessment of a task."""
    if role not in ("mentor", "staff"):
        raise PermissionDenied("Результаты заполняет наставник.")
    if task.section.programme.status in (Status.COMPLETED, Status.TERMINATED):
        raise ValidationError("Программа закрыта.")
    pair_require_working(task.section.programme.pair, on=timezone.localdate(), what="заполнять программу")
    if "due_date" in data and data["due_date"] != task.due_date:
        task_deadline_check(programme=task.section.programme, due_date=data["due_date"])
        task.due_note = ""  # the date is chosen now, not guessed from the template's term
    for field in ("due_date", "result", "result_text", "mentor_assessment"):
        if field in data:
            setattr(task, field, data[field])
    task.save()
    audit_log(
        actor=actor,
        action="task",
        obj=task.section.programme,
        changes={"task": task.pk, "result": task.result},
    )
    return task


def programme_docx(*, programme: Programme, school: School) -> bytes:
    """The programme as a document to print and sign, from the region's «programme» DOCX template (or the
    built-in one): the same sandbox and declared placeholders as every other generated document."""
    from tenants.catalogues import MentoringForm, RoleModel

    pair = programme.pair
    members = [m for m in pair.members.select_related("person").order_by("pk") if m.until is None]
    form = MentoringForm.objects.filter(code=pair.form_code).first()
    role_model = RoleModel.objects.filter(pk=pair.role_model_id).first()

    def people(role: str) -> str:
        return "; ".join(
            m.person.full_name
            + (f", {detail}" if (detail := m.person.school_class or m.person.position) else "")
            for m in members
            if m.role == role
        )

    rows: list[dict[str, Any]] = []
    for s_no, section in enumerate(programme.sections.prefetch_related("tasks"), start=1):
        rows.append({"is_section": True, "number": str(s_no), "text": section.title, "note": section.note,
                     "due_date": "", "term": "", "planned_result": "", "result": "", "assessment": ""})  # fmt: skip
        for t_no, task in enumerate(section.tasks.all(), start=1):
            result = task.get_result_display() + (f": {task.result_text}" if task.result_text else "")
            rows.append({"is_section": False, "number": f"{s_no}.{t_no}", "text": task.task, "note": task.note,
                         "due_date": ru_date(task.due_date), "term": task.term,
                         "planned_result": task.planned_result, "result": result,
                         "assessment": task.mentor_assessment})  # fmt: skip
    version = programme.versions.order_by("-number").first()
    context = {
        "school": {"name": school.name, "short_name": school.short_name or school.name},
        "title": programme.title,
        "form": form.name if form else pair.form_code,
        "role_model": role_model.name if role_model else "",
        "mentors": people(PairMember.Role.MENTOR),
        "mentees": people(PairMember.Role.MENTEE),
        "starts_on": ru_date(programme.starts_on),
        "ends_on": ru_date(programme.ends_on),
        "stage": programme.get_stage_display(),
        "status": programme.get_status_display(),
        "version": version.number if version else "",
        "approved_on": ru_date(timezone.localtime(version.approved_at)) if version else "",
        "rows": rows,
    }
    return docx_render(kind="programme", context=context)
