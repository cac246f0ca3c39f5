"""Region pages for the templates of the personalised programme: a list, and one page to edit a template.

Regional admin only, like the other reference data (core.navigation: «Справка»). Every change is one POST
with an ``action``; a refused one re-renders the page with the reason and a 400, never a 500.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from regional.programme_templates import (
    row_move,
    row_remove,
    section_save,
    task_save,
    template_archive,
    template_create,
    template_update,
    templates_overview,
)
from regional.views import regional_admin_required
from tenants.catalogues import (
    MentoringForm,
    ProgrammeTemplate,
    ProgrammeTemplateSection,
    ProgrammeTemplateTask,
)
from tenants.context import request_user
from tenants.numbers import number_or_none


def _id(value: str | None) -> int | None:
    text = (value or "").strip()
    return number_or_none(text)


def _errors(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@regional_admin_required
@require_http_methods(["GET", "POST"])
def programme_templates(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        try:
            template = template_create(
                name=request.POST.get("name"),
                copy_of=_id(request.POST.get("copy_of")),
                actor=request_user(request),
            )
            messages.success(request, f"Шаблон «{template.name}» создан.")
            return redirect("region-programme-template", pk=template.pk)
        except ValidationError as error:
            _errors(request, error)
            status = 400
    forms = {f.code: f.name for f in MentoringForm.objects.all()}
    return render(
        request,
        "region/programme_templates/list.html",
        {"templates": templates_overview(), "form_names": forms},
        status=status,
    )


def _row(template: ProgrammeTemplate, kind: str, pk: int | None) -> Any:
    """The section or task the form names, only within this template (a forged id is a 400, not a 404)."""
    if pk is None:
        raise ValidationError("Такого раздела или задания в этом шаблоне нет.")
    if kind == "section":
        row: Any = ProgrammeTemplateSection.objects.filter(pk=pk, template=template).first()
    else:
        row = ProgrammeTemplateTask.objects.filter(pk=pk, section__template=template).first()
    if row is None:
        raise ValidationError("Такого раздела или задания в этом шаблоне нет.")
    return row


def _act(request: HttpRequest, template: ProgrammeTemplate) -> str:
    post, actor = request.POST, request_user(request)
    action = post.get("action", "")
    if action == "template":
        template_update(
            template=template,
            data=post,
            form_codes=post.getlist("form_codes"),
            role_model_ids=post.getlist("role_models"),
            actor=actor,
        )
        return "Шаблон сохранён."
    if action in ("archive", "unarchive"):
        template_archive(template=template, archived=action == "archive", actor=actor)
        return (
            "Шаблон в архиве: новым программам он не предлагается."
            if action == "archive"
            else "Шаблон снова действует."
        )
    if action == "section_add":
        section_save(template=template, section=None, data=post, actor=actor)
        return "Раздел добавлен."
    if action == "section_edit":
        section_save(
            template=template,
            section=_row(template, "section", _id(post.get("section"))),
            data=post,
            actor=actor,
        )
        return "Раздел сохранён."
    if action == "task_add":
        task_save(
            section=_row(template, "section", _id(post.get("section"))), task=None, data=post, actor=actor
        )
        return "Задание добавлено."
    if action == "task_edit":
        task = _row(template, "task", _id(post.get("task_id")))
        task_save(section=task.section, task=task, data=post, actor=actor)
        return "Задание сохранено."
    kinds = {
        "section_up": ("section", -1),
        "section_down": ("section", 1),
        "task_up": ("task", -1),
        "task_down": ("task", 1),
    }
    if action in kinds:
        kind, step = kinds[action]
        row_move(
            row=_row(template, kind, _id(post.get("section" if kind == "section" else "task_id"))),
            step=step,
            actor=actor,
        )
        return "Порядок изменён."
    if action in ("section_delete", "task_delete"):
        kind = action.split("_")[0]
        row_remove(
            row=_row(template, kind, _id(post.get("section" if kind == "section" else "task_id"))),
            actor=actor,
        )
        return "Удалено."
    raise ValidationError("Неизвестное действие.")


@regional_admin_required
@require_http_methods(["GET", "POST"])
def programme_template(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(ProgrammeTemplate, pk=pk)
    status = 200
    if request.method == "POST":
        try:
            messages.success(request, _act(request, template))
            return redirect("region-programme-template", pk=template.pk)
        except ValidationError as error:
            _errors(request, error)
            template.refresh_from_db()
            status = 400
    forms = list(MentoringForm.objects.prefetch_related("role_models"))
    chosen_roles = set(template.role_models.values_list("pk", flat=True))
    return render(
        request,
        "region/programme_templates/detail.html",
        {
            "template": template,
            "sections": template.sections.prefetch_related("tasks"),
            "forms": forms,
            "chosen_roles": chosen_roles,
        },
        status=status,
    )
