from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core.access import school_staff_required
from core.dates import parse_on_param
from core.indicators.forms import ContingentForm
from core.indicators.models import ContingentDeclaration
from core.indicators.selectors import indicators_on
from core.indicators.services import contingent_declare
from tenants.context import request_user

LABELS = {
    "students_10_18": "Доля обучающихся 10–18 лет, вовлечённых в наставничество (цель ≥ 70 %)",
    "young_teachers_with_mentor": "Доля педагогов до 35 лет в первые 3 года работы, у которых есть наставник",
    "teachers_in_mentoring": "Доля педагогов, вовлечённых в наставничество",
}


@school_staff_required
@require_http_methods(["GET", "POST"])
def indicators(request: HttpRequest) -> HttpResponse:
    """The school's indicators on a date, with the people behind each number (the school's own view)."""
    on = parse_on_param(request.GET.get("on"))
    declaration = ContingentDeclaration.objects.filter(year=on.year).first()
    if request.method == "POST":
        # Every number is checked before the row is touched: nothing half-written, and a refused form comes
        # back with what was typed (the good numbers too) and the error under its own field.
        form = ContingentForm(request.POST)
        if form.is_valid():
            contingent_declare(year=on.year, counts=form.cleaned_data, actor=request_user(request))
            messages.success(request, f"Контингент на {on.year} год сохранён.")
            return redirect(f"{request.path}?on={on.isoformat()}")
        messages.error(request, "Контингент не сохранён: исправьте отмеченные поля.")
    else:
        form = ContingentForm(
            initial={name: getattr(declaration, name) for name in ContingentForm.base_fields}
            if declaration
            else None
        )
    shares = indicators_on(on)
    return render(
        request,
        "school/indicators.html",
        {
            "on": on,
            "rows": [(LABELS[k], s) for k, s in shares.items()],
            "declaration": declaration,
            "form": form,
        },
        status=400 if form.errors else 200,
    )
