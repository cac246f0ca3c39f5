"""The programme page and its plan edited in place (issue 14): a task row opens for editing — the plan's
wording, deadline and planned result, or the actual result and assessment — and saves alone; a change that
moves rows (add, reorder, remove, another section) answers the whole plan. The rules stay in
core.programmes.plan and services; without JavaScript the same URLs answer the whole page."""

from typing import Any

from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET
from django_htmx.http import reswap, retarget

from core.pairs.views import pair_get_for_user
from core.partials import is_htmx
from core.programmes.models import Programme, ProgrammeTask
from core.programmes.plan import EDITABLE, EDITORS, REOPENABLE
from core.programmes.services import MOVES
from core.programmes.stages import stages_allowed

FILLERS = ("staff", "mentor")
CLOSED = (Programme.Status.COMPLETED, Programme.Status.TERMINATED)
# PlanForm's field names → the names the services (and the row) use for the same values.
PLAN_FIELDS = {
    "text": "task",
    "due_date": "due_date",
    "planned_result": "planned_result",
    "section": "section",
}
FILL_FIELDS = ("due_date", "result", "result_text", "mentor_assessment")


def programme_for_user(request: HttpRequest, pk: int) -> tuple[Programme, str]:
    programme = get_object_or_404(Programme.objects.select_related("pair"), pk=pk)
    _pair, role = pair_get_for_user(request, programme.pair_id)
    return programme, role


def programme_context(programme: Programme, role: str) -> dict[str, Any]:
    moves = [
        (to, Programme.Status(to).label)
        for (frm, to), who in MOVES.items()
        if frm == programme.status and role in who
    ]
    return {
        "programme": programme,
        "role": role,
        "sections": programme.sections.prefetch_related("tasks"),
        "moves": moves,
        "results": ProgrammeTask.Result.choices,
        "stages": stages_allowed(programme.status),  # seed 001: the stage follows the lifecycle
        "can_fill": role in FILLERS and programme.status not in CLOSED,
        "can_plan": role in EDITORS and programme.status in EDITABLE + REOPENABLE,
        "reopens": programme.status in REOPENABLE,
        "versions": programme.versions.all(),
        "comments": programme.comments.select_related("task"),
    }


def programme_page(
    request: HttpRequest, programme: Programme, role: str, *, status: int = 200, **extra: Any
) -> HttpResponse:
    """The programme's page; a refused action shows it again with the reason and a 400."""
    context = {**programme_context(programme, role), **extra}
    return render(request, "school/programme.html", context, status=status)


def plan_response(
    request: HttpRequest, programme: Programme, role: str, *, status: int = 200, **extra: Any
) -> HttpResponse:
    """The plan alone, put in place of the page's plan whatever element asked (a row's form targets the row)."""
    context = {**programme_context(programme, role), **extra}
    response = render(request, "school/partials/programme_plan.html", context, status=status)
    return reswap(retarget(response, "#plan"), "outerHTML")


def _numbers(task: ProgrammeTask) -> tuple[int, int]:
    """The «2.3» of a task, as the page numbers it (sections and tasks in their order)."""
    section = task.section
    sections = list(section.programme.sections.values_list("pk", flat=True))
    tasks = list(section.tasks.values_list("pk", flat=True))
    return sections.index(section.pk) + 1, tasks.index(task.pk) + 1


def row_data(task: ProgrammeTask, mode: str, posted: QueryDict | None = None) -> dict[str, Any]:
    """What the open row shows: what was typed (after a refusal) or what is stored."""
    if mode == "plan":
        if posted is not None:
            return {name: posted.get(name, "") for name in PLAN_FIELDS}
        return {
            "text": task.task,
            "section": task.section_id,
            "due_date": task.due_date.isoformat() if task.due_date else "",
            "planned_result": task.planned_result,
        }
    if posted is not None:
        return {name: posted.get(name, "") for name in FILL_FIELDS}
    return {name: getattr(task, name) or "" for name in FILL_FIELDS}


def row_errors(*, form_errors: dict[str, Any] | None = None, error: ValidationError | None = None) -> dict:
    """Errors by the row's field names; what names no field goes under «all»."""
    errors: dict[str, list[str]] = {}
    for field, messages in (form_errors or {}).items():
        name = PLAN_FIELDS.get(field, field)
        key = name if name in {*PLAN_FIELDS.values(), *FILL_FIELDS} else "all"
        errors.setdefault(key, []).extend(str(m) for m in messages)
    if error is not None:
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                key = field if field in {*PLAN_FIELDS.values(), *FILL_FIELDS} else "all"
                errors.setdefault(key, []).extend(messages)
        else:
            errors.setdefault("all", []).extend(error.messages)
    return errors


def task_row_response(
    request: HttpRequest,
    programme: Programme,
    role: str,
    task: ProgrammeTask,
    *,
    mode: str = "",
    data: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = programme_context(programme, role)
    sn, tn = _numbers(task)
    context.update(
        task=task,
        sn=sn,
        tn=tn,
        editing=mode,
        row_data=data if data is not None else (row_data(task, mode) if mode else {}),
        row_errors=errors or {},
    )
    return render(request, "school/partials/programme_task_row.html", context, status=status)


def _task_of(programme: Programme, tid: int) -> ProgrammeTask:
    return get_object_or_404(
        ProgrammeTask.objects.select_related("section__programme"), pk=tid, section__programme=programme
    )


@require_GET
def task_row_edit(request: HttpRequest, pk: int, tid: int) -> HttpResponse:
    """A task row opened in place (?mode=fill: the result); without JavaScript, the page with that row open."""
    programme, role = programme_for_user(request, pk)
    task = _task_of(programme, tid)
    mode = "fill" if request.GET.get("mode") == "fill" else "plan"
    context = programme_context(programme, role)
    if mode == "plan" and not context["can_plan"]:
        if role not in EDITORS:
            raise PermissionDenied("План программы составляют наставник и куратор.")
        raise BadRequest(f"Программа «{programme.get_status_display()}»: план менять нельзя.")
    if mode == "fill" and not context["can_fill"]:
        if role not in FILLERS:
            raise PermissionDenied("Результаты заполняет наставник.")
        raise BadRequest("Программа закрыта: результаты больше не меняются.")
    if is_htmx(request):
        return task_row_response(request, programme, role, task, mode=mode)
    return programme_page(
        request,
        programme,
        role,
        editing_task=task.pk,
        editing_mode=mode,
        row_data=row_data(task, mode),
        row_errors={},
    )


@require_GET
def task_row_show(request: HttpRequest, pk: int, tid: int) -> HttpResponse:
    """The task row as shown («Отмена»)."""
    programme, role = programme_for_user(request, pk)
    task = _task_of(programme, tid)
    if is_htmx(request):
        return task_row_response(request, programme, role, task)
    return redirect("school-programme", pk=programme.pk)
