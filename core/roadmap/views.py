from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from core.access import school_staff_required
from core.roadmap.models import RoadmapItem
from core.roadmap.services import roadmap_item_save, roadmap_overdue, roadmap_start_from_template
from tenants.context import request_user


class RoadmapItemForm(forms.ModelForm):
    class Meta:
        model = RoadmapItem
        fields = ["stage", "title", "period", "due_date", "responsible", "result", "status"]
        widgets = {"due_date": forms.DateInput(attrs={"type": "date"})}


@school_staff_required
@require_http_methods(["GET", "POST"])
def roadmap(request: HttpRequest) -> HttpResponse:
    form = RoadmapItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        roadmap_item_save(item=None, data=form.cleaned_data, actor=request_user(request))
        messages.success(request, "Мероприятие добавлено.")
        return redirect("school-roadmap")
    overdue = set(roadmap_overdue(today=timezone.localdate()).values_list("pk", flat=True))
    return render(
        request,
        "school/roadmap.html",
        {
            "items": RoadmapItem.objects.all(),
            "overdue": overdue,
            "form": form,
            "statuses": RoadmapItem.Status.choices,
        },
        status=400 if form.errors else 200,
    )


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
@require_POST
def roadmap_item_update(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(RoadmapItem, pk=pk)
    form = RoadmapItemForm(request.POST, instance=item)
    if form.is_valid():
        roadmap_item_save(item=item, data=form.cleaned_data, actor=request_user(request))
        messages.success(request, "Сохранено.")
    else:
        messages.error(request, " ".join(str(m) for ms in form.errors.values() for m in ms))
    return redirect("school-roadmap")
