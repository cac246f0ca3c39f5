"""Region pages of the checklist: the compliance view (snapshots only) and ИМЦ rounds."""

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from regional.checklist.rules import STATE_LABELS
from regional.checklist.snapshots import EXTRA_RULE_TITLES, checklist_publish
from regional.compliance import (
    NO_DATA,
    checklist_columns,
    compliance_schools,
    compliance_totals,
    entered_nothing,
)
from regional.exporting import xlsx_table
from regional.models import InspectionVerdict, SchoolSnapshot
from regional.rounds import (
    round_create,
    round_due_date_check,
    round_note_docx,
    round_progress,
    round_trend,
    rounds_visible_to,
    verdict_set,
)
from regional.selectors import municipalities_for_user, school_get_for_user
from tenants.context import request_user
from tenants.models import School
from tenants.selectors import user_is_regional_admin

CELL = {
    "done": ("table-success", "✓"),
    "partial": ("table-warning", "½"),
    "not_done": ("table-danger", "✗"),
    "na": ("", "—"),
    "": ("", "?"),
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _filters(request: HttpRequest) -> dict[str, Any]:
    raw = request.GET.get("municipality", "")
    return {
        "municipality_id": int(raw) if raw.isdigit() else None,
        "kind": request.GET.get("kind", "") if request.GET.get("kind", "") in School.Kind.values else "",
        "item": request.GET.get("item", ""),
        "state": request.GET.get("state", "") if request.GET.get("state", "") in STATE_LABELS else "",
    }


def _percent_label(school: School) -> str:
    """The school's % or «нет данных»: no snapshot yet, or nothing entered (never shown as a silent 0 %)."""
    if entered_nothing(school.snap_items, school.snap_counts):  # type: ignore[attr-defined]
        return NO_DATA
    return f"{school.snap_percent}%"  # type: ignore[attr-defined]


@require_GET
def compliance(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    columns = checklist_columns()  # once per request: the filters and totals take it from here
    schools = compliance_schools(user=request.user, columns=columns, **filters)
    region, by_municipality = compliance_totals(schools, columns=columns)
    paginator = Paginator(schools, 50)
    paginator.__dict__["count"] = region.schools  # known from the totals query: no second COUNT(*)
    page = paginator.get_page(request.GET.get("page"))
    # Classes and marks are chosen here, not in the template: 400 cells of {% if %} chains cost more than the query.
    rows = [
        (
            s,
            _percent_label(s),
            [
                (f"{c.title}: {STATE_LABELS.get(st, NO_DATA)}", *CELL.get(st, CELL[""]))
                for c in columns
                for st in [(s.snap_items or {}).get(c.code, {}).get("state", "")]
            ],
        )
        for s in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "region/compliance.html",
        {
            "page": page,
            "rows": rows,
            "is_admin": user_is_regional_admin(request.user),
            "version": columns[0].template.version if columns else 0,
            "extra_rules": [
                (code, title)
                for code, title in EXTRA_RULE_TITLES.items()
                if code not in {c.rule for c in columns}
            ],
            "filters": filters,
            "columns": columns,
            "region": region,
            "by_municipality": by_municipality,
            "municipalities": municipalities_for_user(user=request.user),
            "kinds": School.Kind.choices,
            "states": STATE_LABELS.items(),
            "query": query.urlencode(),
        },
    )


@require_GET
def compliance_xlsx(request: HttpRequest) -> HttpResponse:
    """Exactly what the page shows (all pages), as XLSX."""
    columns = checklist_columns()
    schools = compliance_schools(user=request.user, columns=columns, **_filters(request))
    rows = (
        [s.short_name, s.inn, _percent_label(s)]
        + [
            STATE_LABELS.get((s.snap_items or {}).get(c.code, {}).get("state", ""), NO_DATA)  # type: ignore[attr-defined]
            for c in columns
        ]
        + [s.snap_computed_at.strftime("%d.%m.%Y %H:%M") if s.snap_computed_at else NO_DATA]  # type: ignore[attr-defined]
        for s in schools
    )
    content = xlsx_table(
        title="Чек-лист",
        header=["Школа", "ИНН", "Выполнено"] + [c.title for c in columns] + ["Данные на"],
        rows=rows,
    )
    response = HttpResponse(content, content_type=XLSX)
    name = f"Чек-лист_наставничества_{timezone.localdate():%d.%m.%Y}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, name) or ""
    return response


@require_GET
def school_checklist(request: HttpRequest, pk: int) -> HttpResponse:
    school = school_get_for_user(user=request.user, pk=pk)
    snapshot = SchoolSnapshot.objects.filter(school=school).first()
    verdicts = {
        v.item_code: v for v in InspectionVerdict.objects.filter(school=school).order_by("decided_at")
    }
    return render(
        request,
        "region/school_checklist.html",
        {"school": school, "snapshot": snapshot, "columns": checklist_columns(), "verdicts": verdicts},
    )


@require_http_methods(["GET", "POST"])
def rounds(request: HttpRequest) -> HttpResponse:
    municipalities = municipalities_for_user(user=request.user)
    status = 200
    if request.method == "POST":
        try:
            municipality = municipalities.get(pk=int(request.POST.get("municipality") or 0))
            due_date = date.fromisoformat(request.POST.get("due_date", ""))
            round_due_date_check(due_date)
            round_ = round_create(
                title=request.POST.get("title", ""),
                municipality=municipality,
                due_date=due_date,
                actor=request_user(request),
            )
        except (ValueError, municipalities.model.DoesNotExist):
            messages.error(request, "Укажите муниципалитет и срок.")
            status = 400
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            status = 400
        else:
            messages.success(request, f"Раунд начат: школ {round_.schools.count()}.")
            return redirect("region-round", pk=round_.pk)
    items = [(r, round_progress(r), round_trend(r)) for r in rounds_visible_to(request.user)]
    return render(
        request, "region/rounds.html", {"rounds": items, "municipalities": municipalities}, status=status
    )


@require_GET
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_object_or_404(rounds_visible_to(request.user), pk=pk)
    progress = round_progress(round_)
    snapshots = {s.school_id: s for s in SchoolSnapshot.objects.filter(school__in=round_.schools.all())}
    schools = [
        (s, snapshots.get(s.pk), progress["per_school"].get(s.pk, 0))
        for s in round_.schools.order_by("short_name")
    ]
    return render(
        request,
        "region/round.html",
        {"round": round_, "progress": progress, "schools": schools, "trend": round_trend(round_)},
    )


@require_http_methods(["GET", "POST"])
def round_school(request: HttpRequest, pk: int, school_pk: int) -> HttpResponse:
    round_ = get_object_or_404(rounds_visible_to(request.user), pk=pk)
    school = get_object_or_404(round_.schools.all(), pk=school_pk)
    status = 200
    if request.method == "POST":
        try:
            verdict_set(
                round_=round_,
                school=school,
                item_code=request.POST.get("item", ""),
                verdict=request.POST.get("verdict", ""),
                comment=request.POST.get("comment", ""),
                actor=request_user(request),
            )
        except PermissionDenied:
            raise
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            status = 400
        else:
            messages.success(request, "Решение сохранено.")
            return redirect("region-round-school", pk=round_.pk, school_pk=school.pk)
    snapshot = SchoolSnapshot.objects.filter(school=school).first()
    verdicts = {v.item_code: v for v in round_.verdicts.filter(school=school)}
    return render(
        request,
        "region/round_school.html",
        {
            "round": round_,
            "school": school,
            "snapshot": snapshot,
            "columns": checklist_columns(),
            "verdicts": verdicts,
            "choices": InspectionVerdict.Verdict.choices,
        },
        status=status,
    )


@require_GET
def round_note(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_object_or_404(rounds_visible_to(request.user), pk=pk)
    response = HttpResponse(round_note_docx(round_), content_type=DOCX)
    response["Content-Disposition"] = (
        content_disposition_header(True, f"Аналитическая_справка_{round_.pk}.docx") or ""
    )
    return response


@require_http_methods(["POST"])
def checklist_publish_view(request: HttpRequest) -> HttpResponse:
    if not user_is_regional_admin(request.user):
        raise PermissionDenied("Новую версию чек-листа публикует администратор региона.")
    try:
        template = checklist_publish(extra_rules=request.POST.getlist("rules"), actor=request_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Опубликована версия {template.version}: снимки школ пересчитываются.")
    return redirect("region-compliance")
