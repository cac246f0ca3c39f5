from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from core.access import school_staff_required
from core.reporting.annual import annual_report, annual_report_docx
from tenants.context import request_school
from tenants.numbers import is_number

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@school_staff_required
@require_GET
def annual_report_view(request: HttpRequest) -> HttpResponse:
    """The curator's yearly analytical report as DOCX (``?year=ГГГГ``, this year by default)."""
    today = timezone.localdate()
    raw = request.GET.get("year", "") or str(today.year)
    if not is_number(raw) or not 2000 <= int(raw) <= today.year:
        raise BadRequest(f"Год отчёта должен быть числом от 2000 до {today.year}.")
    year = int(raw)
    on = min(today, today.replace(year=year, month=12, day=31))
    school = request_school(request)
    # Rendered from the region's current template (tenants.DocumentTemplate, in public) with this school's
    # figures, read in this request's schema; a stored template that breaks the sandbox rules is a 400.
    content = annual_report_docx(
        annual_report(year=year, on=on),
        school_name=school.name if school else "",
        school_short_name=(school.short_name if school else "") or "",
    )
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = (
        content_disposition_header(True, f"Аналитический_отчёт_{year}.docx") or ""
    )
    return response
