from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRefresh

from core.access import school_staff_required
from core.pairs.forms import ProgrammeForm
from core.pairs.models import Pair
from core.pairs.views import pair_page
from core.partials import is_htmx
from core.programmes.models import Programme, ProgrammeSection, ProgrammeTask
from core.programmes.plan import (
    EDITORS,
    comment_add,
    section_add,
    section_edit,
    section_remove,
    task_add,
    task_edit,
    task_remove,
)
from core.programmes.rows import (
    FILLERS,
    PLAN_FIELDS,
    plan_response,
    programme_for_user,
    programme_page,
    row_data,
    row_errors,
    task_row_response,
)
from core.programmes.services import (
    programme_create,
    programme_docx,
    programme_move,
    programme_update,
    task_fill,
)
from tenants.context import request_user, school_of
from tenants.numbers import is_number

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class TaskForm(forms.ModelForm):
    class Meta:
        model = ProgrammeTask
        fields = ["due_date", "result", "result_text", "mentor_assessment"]


class PlanForm(forms.Form):
    """One form for every plan action of the page; each action reads only its own fields."""

    ACTIONS = (
        "section_add", "section_edit", "section_up", "section_down", "section_delete",
        "task_add", "task_edit", "task_up", "task_down", "task_delete",
    )  # fmt: skip
    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    section = forms.IntegerField(required=False, min_value=1)
    task_id = forms.IntegerField(required=False, min_value=1)
    title = forms.CharField(required=False, max_length=300)
    text = forms.CharField(required=False, max_length=500)
    due_date = forms.DateField(required=False)
    planned_result = forms.CharField(required=False, max_length=500)


class CommentForm(forms.Form):
    text = forms.CharField(max_length=2000)
    task = forms.IntegerField(required=False, min_value=1)


def _programme_for_user(request: HttpRequest, pk: int) -> tuple[Programme, str]:
    return programme_for_user(request, pk)


@school_staff_required
@require_POST
def programme_new(request: HttpRequest, pk: int) -> HttpResponse:
    pair = get_object_or_404(Pair, pk=pk)
    form = ProgrammeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Укажите даты программы.")
        return redirect("school-pair", pk=pair.pk)
    try:
        programme = programme_create(pair=pair, actor=request_user(request), **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return pair_page(request, pair, "staff", status=400)
    messages.success(request, "Программа создана по шаблону формы наставничества.")
    return redirect("school-programme", pk=programme.pk)


@require_GET
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    programme, role = _programme_for_user(request, pk)
    return _programme_page(request, programme, role)


def _programme_page(
    request: HttpRequest, programme: Programme, role: str, *, status: int = 200
) -> HttpResponse:
    """The programme's page; a refused action shows it again with the reason (messages) and a 400."""
    return programme_page(request, programme, role, status=status)


@require_POST
def programme_move_view(request: HttpRequest, pk: int) -> HttpResponse:
    programme, role = _programme_for_user(request, pk)
    to = request.POST.get("to", "")
    if to not in Programme.Status.values:  # a forged or empty form: a 400, never the service's KeyError
        raise BadRequest(f"Неизвестный статус программы: «{to[:40]}».")
    try:
        programme_move(programme=programme, to=to, role=role, actor=request_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        programme.refresh_from_db()
        return _programme_page(request, programme, role, status=400)
    else:
        messages.success(request, f"Статус программы: {programme.get_status_display()}.")
    return redirect("school-programme", pk=programme.pk)


@require_POST
def programme_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    programme, role = _programme_for_user(request, pk)
    if role != "staff":  # before the form: a mentor or mentee is refused, not told to check the dates
        raise PermissionDenied("Сроки и этап программы меняет куратор.")
    form = ProgrammeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Проверьте даты.")
        return redirect("school-programme", pk=programme.pk)
    data = {
        **form.cleaned_data,
        "extended": request.POST.get("extended") == "on",
        "stage": request.POST.get("stage", programme.stage),
    }
    if data["stage"] not in Programme.Stage.values:
        data["stage"] = programme.stage
    try:
        programme_update(programme=programme, data=data, role=role, actor=request_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        programme.refresh_from_db()
        return _programme_page(request, programme, role, status=400)
    else:
        messages.success(request, "Программа обновлена.")
    return redirect("school-programme", pk=programme.pk)


@require_POST
def task_update(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(ProgrammeTask.objects.select_related("section__programme"), pk=pk)
    programme, role = _programme_for_user(request, task.section.programme_id)
    if is_htmx(request):
        return _task_fill_in_place(request, programme, role, task)
    form = TaskForm(request.POST, instance=task)
    if form.is_valid():
        try:
            task_fill(task=task, data=form.cleaned_data, role=role, actor=request_user(request))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return _programme_page(request, programme, role, status=400)
        else:
            messages.success(request, "Результат записан.")
    else:
        messages.error(request, " ".join(str(m) for ms in form.errors.values() for m in ms))
    return redirect("school-programme", pk=programme.pk)


def _task_fill_in_place(
    request: HttpRequest, programme: Programme, role: str, task: ProgrammeTask
) -> HttpResponse:
    """The result of one task saved from its open row: the row as shown, or open with its errors (400)."""
    if role not in FILLERS:  # before the form: a mentee is refused, not told to check the fields
        raise PermissionDenied("Результаты заполняет наставник.")
    form = TaskForm(request.POST, instance=task)
    error = None
    if form.is_valid():
        try:
            task_fill(task=task, data=form.cleaned_data, role=role, actor=request_user(request))
        except ValidationError as refused:
            error = refused
        else:
            return task_row_response(request, programme, role, task)
    task.refresh_from_db()  # the form copied the refused values onto it
    errors = row_errors(form_errors=None if error else form.errors, error=error)
    data = row_data(task, "fill", request.POST)
    return task_row_response(
        request, programme, role, task, mode="fill", data=data, errors=errors, status=400
    )


@require_GET
def programme_document(request: HttpRequest, pk: int) -> HttpResponse:
    programme, _role = _programme_for_user(request, pk)
    response = HttpResponse(programme_docx(programme=programme, school=school_of(request)), content_type=DOCX)
    response["Content-Disposition"] = (
        content_disposition_header(True, f"Программа_пары_{programme.pair_id}.docx") or ""
    )
    return response


def _plan_apply(programme: Programme, role: str, data: dict, request: HttpRequest) -> str:
    """Run one plan action of the page through the services; returns the message for the user."""
    actor, action = request_user(request), data["action"]
    if action == "section_add":
        section_add(programme=programme, data={"title": data["title"]}, role=role, actor=actor)
        return "Раздел добавлен."
    if action.startswith("section_"):
        section = get_object_or_404(ProgrammeSection, pk=data["section"] or 0, programme=programme)
        if action == "section_delete":
            section_remove(section=section, role=role, actor=actor)
            return "Раздел удалён вместе с его заданиями."
        change: dict = {"title": data["title"]} if action == "section_edit" else {}
        if action in ("section_up", "section_down"):
            change["position"] = max(0, section.position + (-1 if action == "section_up" else 1))
        section_edit(section=section, data=change, role=role, actor=actor)
        return "Раздел сохранён."
    if action == "task_add":
        section = get_object_or_404(ProgrammeSection, pk=data["section"] or 0, programme=programme)
        fields = {
            "task": data["text"],
            "due_date": data["due_date"],
            "planned_result": data["planned_result"],
        }
        task_add(section=section, data=fields, role=role, actor=actor)
        return "Задание добавлено."
    task = get_object_or_404(
        ProgrammeTask.objects.select_related("section"), pk=data["task_id"] or 0, section__programme=programme
    )
    if action == "task_delete":
        task_remove(task=task, role=role, actor=actor)
        return "Задание удалено."
    if action == "task_edit":
        fields = {
            "task": data["text"],
            "due_date": data["due_date"],
            "planned_result": data["planned_result"],
        }
        if data["section"]:
            fields["section"] = data["section"]
    else:
        fields = {"position": max(0, task.position + (-1 if action == "task_up" else 1))}
    task_edit(task=task, data=fields, role=role, actor=actor)
    return "Задание сохранено."


@require_POST
def programme_plan_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Sections and tasks from the programme's page: one POST per action, then back to the page."""
    programme, role = _programme_for_user(request, pk)
    if role not in EDITORS:  # before the form: the mentee is refused, not told to fill in fields
        raise PermissionDenied("План программы составляют наставник и куратор.")
    form = PlanForm(request.POST)
    if is_htmx(request):
        return _plan_in_place(request, programme, role, form)
    if not form.is_valid():
        messages.error(request, " ".join(str(m) for ms in form.errors.values() for m in ms))
        return _programme_page(request, programme, role, status=400)
    try:
        done = _plan_apply(programme, role, form.cleaned_data, request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        programme.refresh_from_db()
        return _programme_page(request, programme, role, status=400)
    messages.success(request, done)
    return redirect("school-programme", pk=programme.pk)


def _plan_in_place(request: HttpRequest, programme: Programme, role: str, form: PlanForm) -> HttpResponse:
    """A plan action from htmx: the plan (or the open task row) comes back; the rules are the services'."""
    status_before = programme.status
    error: ValidationError | None = None
    if form.is_valid():
        try:
            done = _plan_apply(programme, role, form.cleaned_data, request)
        except ValidationError as refused:
            error = refused
        else:
            programme.refresh_from_db()
            if programme.status != status_before:  # an approved plan reopened: status and moves change
                messages.info(request, f"{done} Программа «{programme.get_status_display()}».")
                return HttpResponseClientRefresh()
            return plan_response(request, programme, role, plan_done=done)
    programme.refresh_from_db()
    errors = row_errors(form_errors=None if error else form.errors, error=error)
    action, posted = request.POST.get("action", ""), request.POST
    task_id = posted.get("task_id", "")
    if action == "task_edit" and is_number(task_id):
        task = ProgrammeTask.objects.filter(pk=int(task_id), section__programme=programme).first()
        if task is not None:  # the open row again, with what was typed and why it was refused
            data = row_data(task, "plan", posted)
            return task_row_response(
                request, programme, role, task, mode="plan", data=data, errors=errors, status=400
            )
    message = " ".join(m for ms in errors.values() for m in ms) or "Действие не выполнено."
    section = posted.get("section", "")
    extra: dict[str, Any] = {}
    if action == "task_add" and is_number(section):  # the add form keeps what was typed
        extra = {"add_section": int(section), "add_data": {k: posted.get(k, "") for k in PLAN_FIELDS}}
    return plan_response(request, programme, role, status=400, plan_error=message, **extra)


@require_POST
def programme_comment_view(request: HttpRequest, pk: int) -> HttpResponse:
    programme, role = _programme_for_user(request, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(m) for ms in form.errors.values() for m in ms))
        return _programme_page(request, programme, role, status=400)
    try:
        comment_add(programme=programme, data=form.cleaned_data, role=role, actor=request_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _programme_page(request, programme, role, status=400)
    messages.success(request, "Комментарий добавлен.")
    return redirect("school-programme", pk=programme.pk)
