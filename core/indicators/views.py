from datetime import date

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from core.access import school_staff_required
from core.audit.services import audit_log
from core.indicators.models import ContingentDeclaration
from core.indicators.selectors import indicators_on
from tenants.context import request_user

LABELS = {
    "students_10_18": "Доля обучающихся 10–18 лет, вовлечённых в наставничество (цель ≥ 70 %)",
    "young_teachers_with_mentor": "Доля педагогов до 35 лет в первые 3 года работы, у которых есть наставник",
    "teachers_in_mentoring": "Доля педагогов, вовлечённых в наставничество",
}


def _count(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


@school_staff_required
@require_http_methods(["GET", "POST"])
def indicators(request: HttpRequest) -> HttpResponse:
    """The school's indicators on a date, with the people behind each number (the school's own view)."""
    try:
        on = date.fromisoformat(request.GET.get("on", "")) if request.GET.get("on") else timezone.localdate()
    except ValueError:
        on = timezone.localdate()
    if request.method == "POST":
        declaration, _ = ContingentDeclaration.objects.get_or_create(year=on.year)
        declaration.students_10_18 = _count(request.POST.get("students_10_18"))
        declaration.teachers = _count(request.POST.get("teachers"))
        declaration.young_teachers = _count(request.POST.get("young_teachers"))
        declaration.declared_by_email = request_user(request).email
        declaration.save()
        audit_log(actor=request_user(request), action="update", obj=declaration)
        messages.success(request, f"Контингент на {on.year} год сохранён.")
        return redirect(f"{request.path}?on={on.isoformat()}")
    shares = indicators_on(on)
    return render(
        request,
        "school/indicators.html",
        {
            "on": on,
            "rows": [(LABELS[k], s) for k, s in shares.items()],
            "declaration": ContingentDeclaration.objects.filter(year=on.year).first(),
        },
    )
