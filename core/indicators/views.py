from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core.access import school_staff_required
from core.dates import parse_on_param
from core.indicators.models import ContingentDeclaration
from core.indicators.selectors import indicators_on
from core.indicators.services import contingent_declare
from tenants.context import request_user

LABELS = {
    "students_10_18": "Доля обучающихся 10–18 лет, вовлечённых в наставничество (цель ≥ 70 %)",
    "young_teachers_with_mentor": "Доля педагогов до 35 лет в первые 3 года работы, у которых есть наставник",
    "teachers_in_mentoring": "Доля педагогов, вовлечённых в наставничество",
}


# Far above any school, far below PostgreSQL's integer: a 40-digit number was a 500 and left the row behind.
MAX_COUNT = 1_000_000
COUNT_FIELDS = ("students_10_18", "teachers", "young_teachers")


def _count(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    if not raw.isdecimal() or not raw.isascii() or int(raw) > MAX_COUNT:
        raise ValueError(raw)
    return int(raw)


@school_staff_required
@require_http_methods(["GET", "POST"])
def indicators(request: HttpRequest) -> HttpResponse:
    """The school's indicators on a date, with the people behind each number (the school's own view)."""
    on = parse_on_param(request.GET.get("on"))
    status = 200
    if request.method == "POST":
        try:  # every number is checked before the row is touched: nothing half-written
            counts = {field: _count(request.POST.get(field)) for field in COUNT_FIELDS}
        except ValueError:
            messages.error(request, f"Контингент — целые числа от 0 до {MAX_COUNT:,}.".replace(",", " "))
            status = 400
        else:
            contingent_declare(year=on.year, counts=counts, actor=request_user(request))
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
        status=status,
    )
