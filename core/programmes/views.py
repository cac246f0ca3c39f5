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
from core.programmes.models import Programme, ProgrammeTask
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
