"""Federal reporting: per-school jobs compute indicators for a date, then one job builds the XLSX.

The school → region rule holds: each school's figures are computed in its own schema and written as a
ReportRow; the file is built from those rows only.
"""

import csv
import io
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from regional.exporting import _append
from regional.models import ReportRow, ReportRun, SchoolSnapshot
from tenants.models import School, User

SHARES = [
    ("students_10_18", "Обучающиеся 10–18 лет"),
    ("young_teachers_with_mentor", "Педагоги до 35 лет, стаж до 3 лет"),
    ("teachers_in_mentoring", "Педагоги"),
]
COUNTS = [
    ("mentors", "Наставников"),
    ("mentees", "Наставляемых"),
    ("pairs", "Пар и групп"),
    ("programmes_started", "Программ начато"),
    ("programmes_completed", "Программ завершено"),
    ("ended_early", "Пар завершено досрочно"),
]


def report_start(*, on: date, actor: User | None) -> ReportRun:
    run = ReportRun.objects.create(on=on, created_by=actor)

    def dispatch() -> None:
        from regional.tasks import report_dispatch_task

        report_dispatch_task.delay(run.pk)

    transaction.on_commit(dispatch)
    return run


def school_report_values(*, on: date, school: School) -> dict[str, Any]:
    """Runs in the school's schema."""
    from core.indicators.selectors import indicators_on, members_in_mentoring

    shares = indicators_on(on)
    roles = members_in_mentoring(on)
    from core.pairs.models import Pair
    from core.pairs.selectors import active_on

    snapshot = SchoolSnapshot.objects.filter(school=school).first()
    values: dict[str, Any] = {k: [s.numerator, s.denominator] for k, s in shares.items()}
    values["mentors"] = sum(1 for r in roles.values() if "mentor" in r)
    values["mentees"] = sum(1 for r in roles.values() if "mentee" in r)
    values["pairs"] = Pair.objects.filter(active_on(on)).exclude(status=Pair.Status.SUSPENDED).count()
    values["compliance"] = snapshot.percent if snapshot else None
    from core.monitoring.models import SurveyResponse
    from core.programmes.models import Programme
    from regional.models import EndReason

    early = list(EndReason.objects.filter(early=True).values_list("code", flat=True))
    values["programmes_started"] = Programme.objects.filter(starts_on__lte=on).count()
    values["programmes_completed"] = Programme.objects.filter(
        status=Programme.Status.COMPLETED, ends_on__lte=on
    ).count()
    values["ended_early"] = Pair.objects.filter(ended_on__lte=on, end_reason_code__in=early).count()
    current = Pair.objects.filter(active_on(on)).exclude(status=Pair.Status.SUSPENDED)
    values["by_form"] = dict(
        current.values_list("form_code").annotate(n=Count("pk")).values_list("form_code", "n")
    )
    values["by_role_model"] = {
        str(k): v
        for k, v in current.values_list("role_model_id")
        .annotate(n=Count("pk"))
        .values_list("role_model_id", "n")
    }
    scores = [
        r.answers.get("satisfaction")
        for r in SurveyResponse.objects.filter(phase="once", submitted_at__date__lte=on)
    ]
    scores = [s for s in scores if isinstance(s, int)]
    values["satisfaction"] = [sum(scores), len(scores)]
    return values


def report_row_save(*, run: ReportRun, school: School, values: dict[str, Any]) -> bool:
    """Store a school's row; True when it was the last one the run waited for."""
    with transaction.atomic():
        _, created = ReportRow.objects.update_or_create(run=run, school=school, defaults={"values": values})
        if created:
            ReportRun.objects.filter(pk=run.pk).update(finished=F("finished") + 1)
        run.refresh_from_db(fields=["finished", "total"])
    return created and run.finished >= run.total


def _pct(num: int, den: int) -> float | None:
    return round(100 * num / den, 1) if den else None


def report_table(run: ReportRun) -> list[dict[str, Any]]:
    """Rows in the customary order: municipality, then school, with «Итого» per municipality and region."""
    rows = list(
        ReportRow.objects.filter(run=run)
        .select_related("school__municipality")
        .order_by("school__municipality__name", "school__short_name")
    )
    table: list[dict[str, Any]] = []
    region: dict[str, Any] = {}
    current: str | None = None
    subtotal: dict[str, Any] = {}

    def add(target: dict[str, Any], values: dict[str, Any]) -> None:
        for key, _label in SHARES:
            a, b = values.get(key, [0, 0])
            t = target.setdefault(key, [0, 0])
            t[0] += a
            t[1] += b
        for key, _label in COUNTS:
            target[key] = target.get(key, 0) + (values.get(key) or 0)
        total, answers = values.get("satisfaction") or [0, 0]
        target.setdefault("satisfaction", [0, 0])
        target["satisfaction"] = [target["satisfaction"][0] + total, target["satisfaction"][1] + answers]
        for group in ("by_form", "by_role_model"):
            for code, n in (values.get(group) or {}).items():
                target.setdefault(group, {})[code] = target.get(group, {}).get(code, 0) + n

    for number, row in enumerate(rows, start=1):
        municipality = row.school.municipality.name
        if current is not None and municipality != current:
            table.append({"kind": "total", "title": f"Итого: {current}", "values": subtotal})
            subtotal = {}
        current = municipality
        table.append(
            {
                "kind": "school",
                "number": number,
                "municipality": municipality,
                "title": row.school.short_name,
                "values": row.values,
            }
        )
        add(subtotal, row.values)
        add(region, row.values)
    if current is not None:
        table.append({"kind": "total", "title": f"Итого: {current}", "values": subtotal})
    table.append({"kind": "region", "title": "Итого по региону", "values": region})
    return table


def _flat(entry: dict[str, Any]) -> list[Any]:
    values = entry["values"]
    cells: list[Any] = []
    for key, _label in SHARES:
        a, b = values.get(key, [0, 0])
        cells += [a, b, _pct(a, b)]
    cells += [values.get(key, 0) for key, _label in COUNTS]
    total, answers = values.get("satisfaction") or [0, 0]
    cells.append(round(total / answers, 1) if answers else None)
    cells.append(values.get("compliance") if entry["kind"] == "school" else None)
    return cells


def report_xlsx(run: ReportRun) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # noqa: S101
    sheet.title = "Наставничество"
    width = 3 + 3 * len(SHARES) + len(COUNTS) + 2
    sheet.append(["Мониторинг внедрения целевой модели наставничества"])
    sheet.append([f"по состоянию на {run.on:%d.%m.%Y}"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    top = ["№ п/п", "Муниципальное образование", "Образовательная организация"]
    for _key, label in SHARES:
        top += [label, "", ""]
    top += [label for _key, label in COUNTS] + ["Удовлетворённость (1–10)", "Чек-лист, %"]
    sub = ["", "", ""] + ["вовлечено", "всего", "%"] * len(SHARES) + [""] * (len(COUNTS) + 2)
    _append(sheet, top)
    _append(sheet, sub)
    for i in range(len(SHARES)):
        column = 4 + 3 * i
        sheet.merge_cells(start_row=3, start_column=column, end_row=3, end_column=column + 2)
    for column in (1, 2, 3, *range(4 + 3 * len(SHARES), width + 1)):
        sheet.merge_cells(start_row=3, start_column=column, end_row=4, end_column=column)
    for row in sheet.iter_rows(min_row=1, max_row=4):
        for cell in row:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for entry in report_table(run):
        if entry["kind"] == "school":
            _append(sheet, [entry["number"], entry["municipality"], entry["title"], *_flat(entry)])
        else:
            _append(sheet, ["", entry["title"], "", *_flat(entry)])
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
    sheet.column_dimensions["B"].width = 30
    sheet.column_dimensions["C"].width = 40
    _forms_sheet(workbook, report_table(run)[-1]["values"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _forms_sheet(workbook: Workbook, region: dict[str, Any]) -> None:
    """Region-wide counts of current pairs by form and by role model."""
    from regional.models import MentoringForm, RoleModel

    sheet = workbook.create_sheet("Формы и ролевые модели")
    forms = dict(MentoringForm.objects.values_list("code", "name"))
    roles = {
        str(pk): (name, form) for pk, name, form in RoleModel.objects.values_list("pk", "name", "form__name")
    }
    _append(sheet, ["Форма наставничества", "Пар и групп"])
    for code, n in sorted((region.get("by_form") or {}).items()):
        _append(sheet, [forms.get(code, code), n])
    _append(sheet, [])
    _append(sheet, ["Ролевая модель", "Форма", "Пар и групп"])
    for pk, n in sorted((region.get("by_role_model") or {}).items()):
        name, form = roles.get(pk, (pk, ""))
        _append(sheet, [name, form, n])
    sheet.column_dimensions["A"].width = 50


def report_build(*, run: ReportRun) -> ReportRun:
    run.file.save(f"report-{run.pk}-{run.on:%Y%m%d}.xlsx", ContentFile(report_xlsx(run)), save=False)
    run.status, run.finished_at = ReportRun.Status.DONE, timezone.now()
    run.save(update_fields=["file", "status", "finished_at"])
    return run


def report_csv(run: ReportRun) -> bytes:
    """For Russian Excel: «;» as the separator and a UTF-8 BOM; user text never starts a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    header = ["№ п/п", "Муниципальное образование", "Образовательная организация"]
    for _key, label in SHARES:
        header += [f"{label}: вовлечено", f"{label}: всего", f"{label}: %"]
    writer.writerow(header + [label for _key, label in COUNTS] + ["Удовлетворённость (1–10)", "Чек-лист, %"])
    for entry in report_table(run):
        first = [
            entry.get("number", ""),
            entry.get("municipality", entry["title"] if entry["kind"] != "school" else ""),
            entry["title"] if entry["kind"] == "school" else "",
        ]
        writer.writerow([_csv_safe(v) for v in first + _flat(entry)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_safe(value: Any) -> Any:
    if isinstance(value, float):
        return str(value).replace(".", ",")
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")):
        return "'" + value
    return "" if value is None else value


def report_json(run: ReportRun) -> dict[str, Any]:
    def shares(values: dict[str, Any]) -> dict[str, Any]:
        return {
            k: {
                "counted": values.get(k, [0, 0])[0],
                "total": values.get(k, [0, 0])[1],
                "percent": _pct(*values.get(k, [0, 0])),
            }
            for k, _l in SHARES
        }

    rows: Iterable[dict[str, Any]] = report_table(run)
    return {
        "on": run.on.isoformat(),
        "rows": [
            {
                "kind": e["kind"],
                "title": e["title"],
                "municipality": e.get("municipality"),
                **shares(e["values"]),
                **{k: e["values"].get(k, 0) for k, _l in COUNTS},
                "compliance": e["values"].get("compliance") if e["kind"] == "school" else None,
            }
            for e in rows
        ],
    }
