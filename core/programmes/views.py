from django import forms
from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from core.access import school_staff_required
from core.pairs.forms import ProgrammeForm
from core.pairs.models import Pair
from core.pairs.views import pair_get_for_user, pair_page
from core.programmes.models import Programme, ProgrammeSection, ProgrammeTask
from core.programmes.plan import (
    EDITABLE,
    EDITORS,
    REOPENABLE,
    comment_add,
    section_add,
    section_edit,
    section_remove,
    task_add,
    task_edit,
    task_remove,
)
from core.programmes.services import (
    MOVES,
    programme_create,
    programme_docx,
    programme_move,
    programme_update,
    task_fill,
)
from tenants.context import request_user, school_of

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
    programme = get_object_or_404(Programme.objects.select_related("pair"), pk=pk)
    _pair, role = pair_get_for_user(request, programme.pair_id)
    return programme, role


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
    moves = [
        (to, Programme.Status(to).label)
        for (frm, to), who in MOVES.items()
        if frm == programme.status and role in who
    ]
    return render(
        request,
        "school/programme.html",
        {
            "programme": programme,
            "role": role,
            "sections": programme.sections.prefetch_related("tasks"),
            "moves": moves,
            "results": ProgrammeTask.Result.choices,
            "stages": Programme.Stage.choices,
            "can_fill": role in ("staff", "mentor") and programme.status not in ("completed", "terminated"),
            "can_plan": role in EDITORS and programme.status in EDITABLE + REOPENABLE,
            "reopens": programme.status in REOPENABLE,
            "versions": programme.versions.all(),
            "comments": programme.comments.select_related("task"),
        },
        status=status,
    )


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
