"""The roadmap page: a row at a time. With htmx a row opens for editing and saves in place (the answer is the
row alone, or the row with its errors and a 400); without JavaScript the same links and forms reload the page
with that row open, so nothing depends on the script."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from core.access import school_staff_required
from core.partials import is_htmx
from core.roadmap.forms import RoadmapItemForm
from core.roadmap.models import RoadmapItem
from core.roadmap.services import (
    roadmap_item_is_overdue,
    roadmap_item_save,
    roadmap_overdue,
    roadmap_start_from_template,
)
from tenants.context import request_user


def _page(
    request: HttpRequest,
    *,
    add_form: RoadmapItemForm | None = None,
    editing: RoadmapItem | None = None,
    form: RoadmapItemForm | None = None,
    status: int = 200,
) -> HttpResponse:
    overdue = set(roadmap_overdue(today=timezone.localdate()).values_list("pk", flat=True))
    return render(
        request,
        "school/roadmap.html",
        {
            "items": RoadmapItem.objects.all(),
            "overdue": overdue,
            "overdue_count": len(overdue),
            "add_form": add_form or RoadmapItemForm(),
            "editing": editing.pk if editing else None,
            "form": form,
            "statuses": RoadmapItem.Status.choices,
        },
        status=status,
    )


def _row(
    request: HttpRequest,
    item: RoadmapItem,
    *,
    form: RoadmapItemForm | None = None,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    """The row alone for htmx; after a change it also brings the «просрочено» count up to date (out of band)."""
    context = {
        "i": item,
        "editing": form is not None,
        "form": form,
        "statuses": RoadmapItem.Status.choices,
        "overdue": {item.pk} if roadmap_item_is_overdue(item, today=timezone.localdate()) else set(),
        **extra,
    }
    if extra.get("oob"):
        context["overdue_count"] = roadmap_overdue(today=timezone.localdate()).count()
    return render(request, "school/partials/roadmap_row.html", context, status=status)


@school_staff_required
@require_http_methods(["GET", "POST"])
def roadmap(request: HttpRequest) -> HttpResponse:
    """The page; its POST adds an item (htmx: the new row is appended and the form comes back empty)."""
    if request.method != "POST":
        return _page(request)
    form = RoadmapItemForm(request.POST)
    if not form.is_valid():
        if is_htmx(request):
            response = render(request, "school/partials/roadmap_add.html", {"add_form": form}, status=400)
            return reswap(retarget(response, "#roadmap-add"), "outerHTML")
        return _page(request, add_form=form, status=400)
    item = roadmap_item_save(item=None, data=form.cleaned_data, actor=request_user(request))
    if is_htmx(request):
        return _row(request, item, oob=True, added=True, add_form=RoadmapItemForm())
    messages.success(request, "Мероприятие добавлено.")
    return redirect("school-roadmap")


@school_staff_required
@require_POST
def roadmap_from_template(request: HttpRequest) -> HttpResponse:
    try:
        count = roadmap_start_from_template(actor=request_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Добавлено мероприятий из регионального шаблона: {count}. Укажите сроки.")
    return redirect("school-roadmap")


@school_staff_required
@require_GET
def roadmap_item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The row open for editing: alone for htmx, inside the whole page without JavaScript."""
    item = get_object_or_404(RoadmapItem, pk=pk)
    form = RoadmapItemForm(instance=item)
    if is_htmx(request):
        return _row(request, item, form=form)
    return _page(request, editing=item, form=form)


@school_staff_required
@require_GET
def roadmap_item_row(request: HttpRequest, pk: int) -> HttpResponse:
    """The row as shown («Отмена» of an edit)."""
    item = get_object_or_404(RoadmapItem, pk=pk)
    if is_htmx(request):
        return _row(request, item)
    return redirect("school-roadmap")


@school_staff_required
@require_POST
def roadmap_item_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Save one row. Errors come back in that row (400), nothing saved."""
    item = get_object_or_404(RoadmapItem, pk=pk)
    form = RoadmapItemForm(request.POST, instance=item)
    if not form.is_valid():
        item.refresh_from_db()  # the form copied the rejected values onto the instance
        if is_htmx(request):
            return _row(request, item, form=form, status=400)
        return _page(request, editing=item, form=form, status=400)
    item = roadmap_item_save(item=item, data=form.cleaned_data, actor=request_user(request))
    if is_htmx(request):
        return _row(request, item, oob=True)
    messages.success(request, "Сохранено.")
    return redirect("school-roadmap")
