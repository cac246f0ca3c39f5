"""The federal report's files, built from a run's stored rows only: the table with «Итого» lines, the XLSX
in the customary layout, CSV for Russian Excel and JSON. A stored run renders the same on every download."""

import csv
import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.worksheet.cell_range import CellRange

from regional.exporting import BOLD, HEADING, xlsx_bytes, xlsx_cells
from regional.models import ReportRow, ReportRun

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


def _pct(num: int, den: int) -> float | None:
    return round(100 * num / den, 1) if den else None


def report_table(run: ReportRun) -> list[dict[str, Any]]:
    """Rows in the customary order: municipality, then school, with «Итого» per municipality and region."""
    # Plain tuples, not model instances: a region's 2,000 rows cost no more than their JSON.
    rows = (
        ReportRow.objects.filter(run=run)
        .order_by("municipality", "title", "school_id")
        .values_list("municipality", "title", "values")
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

    for number, (municipality, title, values) in enumerate(rows, start=1):
        if current is not None and municipality != current:
            table.append({"kind": "total", "title": f"Итого: {current}", "values": subtotal})
            subtotal = {}
        current = municipality
        table.append(
            {
                "kind": "school",
                "number": number,
                "municipality": municipality,
                "title": title,
                "values": values,
            }
        )
        add(subtotal, values)
        add(region, values)
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
    """The customary layout, written in openpyxl's write-only mode (rows stream out, no grid of cells)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Наставничество")
    width = 3 + 3 * len(SHARES) + len(COUNTS) + 2
    sheet.column_dimensions["B"].width = 30
    sheet.column_dimensions["C"].width = 40
    top = ["№ п/п", "Муниципальное образование", "Образовательная организация"]
    for _key, label in SHARES:
        top += [label, "", ""]
    top += [label for _key, label in COUNTS] + ["Удовлетворённость (1–10)", "Чек-лист, %"]
    sub = ["", "", ""] + ["вовлечено", "всего", "%"] * len(SHARES) + [""] * (len(COUNTS) + 2)
    title = ["Мониторинг внедрения целевой модели наставничества"] + [None] * (width - 1)
    dated = [f"по состоянию на {run.on:%d.%m.%Y}"] + [None] * (width - 1)
    for values in (title, dated, top, sub):
        sheet.append(xlsx_cells(sheet, values, font=BOLD, alignment=HEADING))
    merges = [(1, 1, 1, width), (2, 1, 2, width)]
    merges += [(3, 4 + 3 * i, 3, 6 + 3 * i) for i in range(len(SHARES))]
    merges += [(3, column, 4, column) for column in (1, 2, 3, *range(4 + 3 * len(SHARES), width + 1))]
    for min_row, min_col, max_row, max_col in merges:
        sheet.merged_cells.add(CellRange(min_row=min_row, min_col=min_col, max_row=max_row, max_col=max_col))
    table = report_table(run)
    for entry in table:
        if entry["kind"] == "school":
            sheet.append(
                xlsx_cells(sheet, [entry["number"], entry["municipality"], entry["title"], *_flat(entry)])
            )
        else:
            sheet.append(xlsx_cells(sheet, ["", entry["title"], "", *_flat(entry)], font=BOLD))
    _forms_sheet(workbook, table[-1]["values"])
    return xlsx_bytes(workbook)


def _forms_sheet(workbook: Workbook, region: dict[str, Any]) -> None:
    """Region-wide counts of current pairs by form and by role model."""
    from tenants.catalogues import MentoringForm, RoleModel

    sheet = workbook.create_sheet("Формы и ролевые модели")
    sheet.column_dimensions["A"].width = 50
    forms = dict(MentoringForm.objects.values_list("code", "name"))
    roles = {
        str(pk): (name, form) for pk, name, form in RoleModel.objects.values_list("pk", "name", "form__name")
    }
    rows: list[list[Any]] = [["Форма наставничества", "Пар и групп"]]
    rows += [[forms.get(code, code), n] for code, n in sorted((region.get("by_form") or {}).items())]
    rows += [[], ["Ролевая модель", "Форма", "Пар и групп"]]
    for pk, n in sorted((region.get("by_role_model") or {}).items()):
        name, form = roles.get(pk, (pk, ""))
        rows.append([name, form, n])
    for row in rows:
        sheet.append(xlsx_cells(sheet, row))


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
