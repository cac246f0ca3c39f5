"""The curator's register of incentives given to mentors and of mentor training (list, add, edit, delete)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.access import school_staff_required
from core.acts.forms import OrderDateForm
from core.acts.orders import incentives_order_generate
from core.incentives.forms import IncentiveForm, TrainingForm
from core.incentives.models import Incentive, Training
from core.incentives.services import (
    incentive_create,
    incentive_delete,
    incentive_update,
    training_create,
    training_delete,
    training_update,
)
from tenants.context import request_school, request_user
from tenants.numbers import is_number


@school_staff_required
@require_GET
def register(request: HttpRequest) -> HttpResponse:
    incentives = Incentive.objects.select_related("person", "order")
    trainings = Training.objects.select_related("person")
    return render(
        request,
        "school/incentives.html",
        {
            "incentives": incentives,
            "trainings": trainings,
            "hours_total": trainings.aggregate(h=Sum("hours"))["h"] or 0,
            "order_form": OrderDateForm(initial={"date": timezone.localdate()}, auto_id="order_%s"),
        },
    )


def _edit(
    request: HttpRequest,
    *,
    form_class: type[IncentiveForm] | type[TrainingForm],
    instance: Incentive | Training | None,
) -> HttpResponse:
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        actor = request_user(request)
        data = form.cleaned_data
        if isinstance(instance, Incentive):
            incentive_update(incentive=instance, data=data, actor=actor)
        elif isinstance(instance, Training):
            training_update(training=instance, data=data, actor=actor)
        elif form_class is IncentiveForm:
            incentive_create(data=data, actor=actor)
        else:
            training_create(data=data, actor=actor)
        messages.success(request, "Сохранено.")
        return redirect("school-incentives")
    what = "поощрение" if form_class is IncentiveForm else "обучение"
    return render(
        request,
        "school/incentive_form.html",
        {"form": form, "instance": instance, "what": what},
        status=400 if form.errors else 200,
    )


def _delete(request: HttpRequest, obj: Incentive | Training) -> HttpResponse:
    if request.method == "POST":
        if isinstance(obj, Incentive):
            incentive_delete(incentive=obj, actor=request_user(request))
        else:
            training_delete(training=obj, actor=request_user(request))
        messages.success(request, "Запись удалена.")
        return redirect("school-incentives")
    return render(request, "school/incentive_delete.html", {"obj": obj})


@school_staff_required
@require_http_methods(["GET", "POST"])
def incentive_new(request: HttpRequest) -> HttpResponse:
    return _edit(request, form_class=IncentiveForm, instance=None)


@school_staff_required
@require_http_methods(["GET", "POST"])
def incentive_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, form_class=IncentiveForm, instance=get_object_or_404(Incentive, pk=pk))


@school_staff_required
@require_http_methods(["GET", "POST"])
def incentive_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _delete(request, get_object_or_404(Incentive.objects.select_related("person"), pk=pk))


@school_staff_required
@require_http_methods(["GET", "POST"])
def training_new(request: HttpRequest) -> HttpResponse:
    return _edit(request, form_class=TrainingForm, instance=None)


@school_staff_required
@require_http_methods(["GET", "POST"])
def training_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, form_class=TrainingForm, instance=get_object_or_404(Training, pk=pk))


@school_staff_required
@require_http_methods(["GET", "POST"])
def training_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _delete(request, get_object_or_404(Training.objects.select_related("person"), pk=pk))


@school_staff_required
@require_POST
def incentives_order_view(request: HttpRequest) -> HttpResponse:
    """«О поощрении наставников» from the marked incentives of the register, dated with the date chosen."""
    form = OrderDateForm(request.POST)
    ids = [int(i) for i in request.POST.getlist("incentives") if is_number(i)]
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, f"Дата приказа: {message}")
        return redirect("school-incentives")
    try:
        act = incentives_order_generate(
            school=request_school(request),  # type: ignore[arg-type]
            incentives=list(Incentive.objects.filter(pk__in=ids)),
            on=form.cleaned_data["date"],
            actor=request_user(request),
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("school-incentives")
    messages.success(
        request, f"Сформирован приказ № {act.number} от {act.date:%d.%m.%Y} о поощрении наставников."
    )
    return redirect("school-act", pk=act.pk)
