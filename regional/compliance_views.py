"""Region pages of the checklist: the compliance view (snapshots only) and ИМЦ rounds."""

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_http_methods

from core.facts import item_evidence_text
from regional.checklist.history import end_of, items_percent
from regional.checklist.rules import STATE_LABELS
from regional.checklist.snapshots import EXTRA_RULE_TITLES, checklist_publish
from regional.compliance import (
    NO_DATA,
    checklist_columns,
    compliance_on,
    compliance_schools,
    compliance_totals,
    entered_nothing,
)
from regional.exporting import xlsx_table
from regional.models import InspectionVerdict, SchoolSnapshot
from regional.rounds import (
    round_create,
    round_due_date_check,
    round_items,
    round_note_docx,
    round_progress,
    round_trend,
    rounds_visible_to,
    verdict_set,
)
from regional.selectors import municipalities_for_user, school_get_for_user, snapshots_on
from tenants.context import request_user
from tenants.models import School
from tenants.numbers import number_or_none
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
        "municipality_id": number_or_none(raw),
        "kind": request.GET.get("kind", "") if request.GET.get("kind", "") in School.Kind.values else "",
        "item": request.GET.get("item", ""),
        "state": request.GET.get("state", "") if request.GET.get("state", "") in STATE_LABELS else "",
    }


def _checklist_rows(
    columns: list[Any], snapshot: SchoolSnapshot | None, verdicts: dict[str, InspectionVerdict]
) -> list[tuple[Any, dict[str, Any], str, InspectionVerdict | None]]:
    """(item, its stored state, the evidence as text, the ИМЦ's verdict) for each item shown."""
    items = snapshot.items if snapshot is not None else {}
    return [
        (c, items.get(c.code, {}), item_evidence_text(items.get(c.code)), verdicts.get(c.code))
        for c in columns
    ]


def _percent_label(school: School) -> str:
    """The school's % or «нет данных»: no snapshot yet, or nothing entered (never shown as a silent 0 %)."""
    if entered_nothing(school.snap_items, school.snap_counts):  # type: ignore[attr-defined]
        return NO_DATA
    return f"{school.snap_percent}%"  # type: ignore[attr-defined]


@require_GET
def compliance(request: HttpRequest) -> HttpResponse:
    """The region (or an ИМЦ's municipality) × checklist items, today or «по состоянию на» a past date."""
    filters = _filters(request)
    on = compliance_on(request.GET.get("on"))  # an impossible or future date: a Russian 400
    columns = checklist_columns()  # once per request: the filters and totals take it from here
    schools = compliance_schools(user=request.user, columns=columns, on=on, **filters)
    region, by_municipality = compliance_totals(schools, columns=columns)
    paginator = Paginator(schools, 50)
    paginator.__dict__["count"] = region.schools  # known from the totals query: no second COUNT(*)
    page = paginator.get_page(request.GET.get("page"))
    # Each row's cells are rendered here into one safe string: 50 rows × items of template loops cost
    # more than the query (bench_region). Names and titles are escaped by format_html.
    fragments: dict[tuple[str, str], str] = {}
    rows = [(s, _percent_label(s), _cells(s, columns, fragments)) for s in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    today_query = query.copy()
    today_query.pop("on", None)
    municipality_query = QueryDict(mutable=True)
    if on is not None:
        municipality_query["on"] = f"{on:%d.%m.%Y}"
    return render(
        request,
        "region/compliance.html",
        {
            "page": page,
            "rows": rows,
            "on": on,
            "as_of": on or timezone.localdate(),
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
            "on_query": municipality_query.urlencode(),
            "today_query": today_query.urlencode(),
        },
    )


def _cells(school: School, columns: list[Any], fragments: dict[tuple[str, str], str]) -> SafeString:
    """A row's item cells as one safe string; each (item, state) cell is escaped once per request."""
    items = school.snap_items or {}  # type: ignore[attr-defined]
    html = []
    for c in columns:
        state = items.get(c.code, {}).get("state", "")
        key = (c.code, state)
        if key not in fragments:
            css, mark = CELL.get(state, CELL[""])
            fragments[key] = format_html(
                '<td class="text-center {}" title="{}: {}">{}</td>',
                css,
                c.title,
                STATE_LABELS.get(state, NO_DATA),
                mark,
            )
        html.append(fragments[key])
    return mark_safe("".join(html))  # noqa: S308 - every fragment was built by format_html


@require_GET
def compliance_xlsx(request: HttpRequest) -> HttpResponse:
    """What the page shows (all pages), as XLSX, with each item's evidence as text beside its state."""
    on = compliance_on(request.GET.get("on"))
    columns = checklist_columns()
    schools = compliance_schools(user=request.user, columns=columns, on=on, **_filters(request))

    def cells(items: dict[str, Any] | None, code: str) -> list[str]:
        item = (items or {}).get(code)
        return [STATE_LABELS.get((item or {}).get("state", ""), NO_DATA), item_evidence_text(item)]

    rows = (
        [s.short_name, s.inn, _percent_label(s)]
        + [cell for c in columns for cell in cells(s.snap_items, c.code)]  # type: ignore[attr-defined]
        + [s.snap_computed_at.strftime("%d.%m.%Y %H:%M") if s.snap_computed_at else NO_DATA]  # type: ignore[attr-defined]
        for s in schools
    )
    content = xlsx_table(
        title="Чек-лист",
        header=["Школа", "ИНН", "Выполнено"]
        + [h for c in columns for h in (c.title, f"{c.title}: основание")]
        + ["Данные на"],
        rows=rows,
    )
    response = HttpResponse(content, content_type=XLSX)
    name = f"Чек-лист_наставничества_{on or timezone.localdate():%d.%m.%Y}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, name) or ""
    return response


@require_GET
def school_checklist(request: HttpRequest, pk: int) -> HttpResponse:
    """A school's items with evidence and the ИМЦ's verdicts; with ?on= as they stood at the end of that day."""
    school = school_get_for_user(user=request.user, pk=pk)
    on = compliance_on(request.GET.get("on"))
    verdicts = InspectionVerdict.objects.filter(school=school).order_by("decided_at")
    snapshot: Any
    if on is None:
        snapshot = SchoolSnapshot.objects.filter(school=school).first()
    else:
        snapshot = snapshots_on(on, school_ids=[school.pk]).first()
        if snapshot is not None:
            snapshot.computed_at = snapshot.valid_from  # the version's start: when the school's data read so
        verdicts = verdicts.filter(decided_at__lt=end_of(on))
    return render(
        request,
        "region/school_checklist.html",
        {
            "school": school,
            "snapshot": snapshot,
            "rows": _checklist_rows(checklist_columns(), snapshot, {v.item_code: v for v in verdicts}),
            "on": on,
            "as_of": on or timezone.localdate(),
        },
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
    codes = [i.code for i in round_items(round_)]
    snapshots = {s.school_id: s for s in SchoolSnapshot.objects.filter(school__in=round_.schools.all())}
    # Each school's % over the round's own items (its snapshot may carry a later version's items too).
    schools = [
        (
            s,
            items_percent(snapshots[s.pk].items, codes) if s.pk in snapshots else None,
            progress["per_school"].get(s.pk, 0),
        )
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
            # The round's own checklist version: items published after it started are not reviewed in it.
            "rows": _checklist_rows(round_items(round_), snapshot, verdicts),
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
