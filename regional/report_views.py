"""Federal reporting pages: start an export for a date, follow its progress, download it later."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from core.dates import parse_date_param
from regional.models import ReportRun, ReportTemplate
from regional.report_files import SHARES, report_csv, report_json, report_table
from regional.report_templates import report_fill_template, report_template_add
from regional.reports import report_retry, report_start
from tenants.context import request_user
from tenants.selectors import user_is_regional_admin


def _admin(request: HttpRequest) -> None:
    if not user_is_regional_admin(request.user):
        raise PermissionDenied("Федеральную отчётность формирует администратор региона.")


@require_http_methods(["GET", "POST"])
def reports(request: HttpRequest) -> HttpResponse:
    _admin(request)
    if request.method == "POST":
        try:  # the shared parser: an impossible date or one outside 1900–2100 (0001-01-01) is refused
            on = parse_date_param(request.POST.get("on"), default_today=False)
        except BadRequest as error:
            messages.error(request, str(error))
            return redirect("region-reports")
        if on > timezone.localdate():
            messages.error(request, "Дата отчёта не может быть в будущем.")
            return redirect("region-reports")
        run = report_start(on=on, actor=request_user(request))
        return redirect("region-report", pk=run.pk)
    runs = list(ReportRun.objects.filter(created_by=request_user(request))[:30])
    running = any(run.status == ReportRun.Status.RUNNING for run in runs)
    if getattr(request, "htmx", False):  # the list polling itself (htmx, every 2 s while one runs)
        return render(request, "region/partials/report_runs.html", {"runs": runs, "running": running})
    return render(
        request,
        "region/reports.html",
        {
            "runs": runs,
            "running": running,
            "today": timezone.localdate(),
            "templates": ReportTemplate.objects.all(),
        },
    )


@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _admin(request)
    run = get_object_or_404(ReportRun, pk=pk)
    if request.GET.get("progress"):
        return JsonResponse(
            {"status": run.status, "finished": run.finished, "total": run.total, "error": run.error}
        )
    table = report_table(run) if run.status == ReportRun.Status.DONE else []
    rows = [(e, _percentages(e["values"])) for e in table]
    # htmx polls the progress block every 2 s while the run is going: that block alone, not the page.
    template = (
        "region/partials/report_progress.html" if getattr(request, "htmx", False) else "region/report.html"
    )
    return render(request, template, {"run": run, "rows": rows, "templates": ReportTemplate.objects.all()})


@require_http_methods(["POST"])
def report_retry_view(request: HttpRequest, pk: int) -> HttpResponse:
    """«Повторить»: a failed export runs again, recomputing only the schools it is missing."""
    _admin(request)
    run = get_object_or_404(ReportRun, pk=pk)
    if run.status != ReportRun.Status.FAILED:
        messages.error(request, "Повторить можно только выгрузку, завершившуюся ошибкой.")
        return redirect("region-report", pk=run.pk)
    report_retry(run=run)
    messages.success(request, "Выгрузка запущена снова: досчитываются только недостающие школы.")
    return redirect("region-report", pk=run.pk)


def _percentages(values: dict[str, Any]) -> list[str]:
    out = []
    for key, _label in SHARES:
        a, b = values.get(key, [0, 0])
        out.append(f"{100 * a / b:.1f} % ({a} из {b})".replace(".", ",") if b else "—")
    return out


@require_GET
def report_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponseBase:
    _admin(request)
    run = get_object_or_404(ReportRun, pk=pk, status=ReportRun.Status.DONE)
    name = f"Наставничество_на_{run.on:%d.%m.%Y}"
    if fmt == "xlsx":
        return FileResponse(run.file.open("rb"), as_attachment=True, filename=f"{name}.xlsx")
    if fmt == "csv":
        response = HttpResponse(report_csv(run), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(True, f"{name}.csv") or ""
        return response
    return JsonResponse(report_json(run), json_dumps_params={"ensure_ascii": False})


@require_http_methods(["POST"])
def report_template_upload(request: HttpRequest) -> HttpResponse:
    _admin(request)
    try:
        template = report_template_add(
            title=request.POST.get("title", ""), upload=request.FILES.get("file"), actor=request_user(request)
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("region-reports")
    messages.success(request, f"Шаблон «{template.title}» загружен.")
    return redirect("region-reports")


@require_GET
def report_download_template(request: HttpRequest, pk: int, template_pk: int) -> HttpResponse:
    _admin(request)
    run = get_object_or_404(ReportRun, pk=pk, status=ReportRun.Status.DONE)
    template = get_object_or_404(ReportTemplate, pk=template_pk)
    with template.file.open("rb") as handle:
        content = report_fill_template(template=handle.read(), run=run)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"{template.title}_на_{run.on:%d.%m.%Y}.xlsx".replace(" ", "_")
    response["Content-Disposition"] = content_disposition_header(True, name) or ""
    return response
