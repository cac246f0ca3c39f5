"""Filling the region's own XLSX templates.

Placeholders: «{{ on }}» anywhere (the reporting date), and one row of «{{ row.<field> }}» cells that is
repeated for every school and «Итого» line. Fields: number, municipality, title, mentors, mentees, pairs,
programmes_started, programmes_completed, ended_early, satisfaction, compliance, and for the shares
students_10_18 / young_teachers_with_mentor / teachers_in_mentoring: .counted, .total, .percent.
"""

import io
import re
from typing import Any

from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from regional.exporting import _FORMULA_START, _clean
from regional.models import ReportRun
from regional.reports import COUNTS, SHARES, _pct, report_table

_ROW = re.compile(r"\{\{\s*row\.([a-z0-9_.]+)\s*\}\}")
_ON = re.compile(r"\{\{\s*on\s*\}\}")


def _fields(entry: dict[str, Any]) -> dict[str, Any]:
    values = entry["values"]
    fields: dict[str, Any] = {
        "number": entry.get("number", ""),
        "municipality": entry.get("municipality", "") if entry["kind"] == "school" else entry["title"],
        "title": entry["title"] if entry["kind"] == "school" else "",
        "compliance": values.get("compliance") if entry["kind"] == "school" else None,
    }
    for key, _label in SHARES:
        a, b = values.get(key, [0, 0])
        fields |= {f"{key}.counted": a, f"{key}.total": b, f"{key}.percent": _pct(a, b)}
    for key, _label in COUNTS:
        fields[key] = values.get(key, 0)
    total, answers = values.get("satisfaction") or [0, 0]
    fields["satisfaction"] = round(total / answers, 1) if answers else None
    return fields


def report_fill_template(*, template: bytes, run: ReportRun) -> bytes:
    try:
        workbook = load_workbook(io.BytesIO(template))
    except Exception as error:  # openpyxl raises many kinds of errors on a broken file
        raise ValidationError("Шаблон повреждён или это не XLSX.") from error
    sheet = workbook.active
    if sheet is None:
        raise ValidationError("В шаблоне нет листа.")
    template_row = None
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                if _ON.search(cell.value):
                    cell.value = _ON.sub(f"{run.on:%d.%m.%Y}", cell.value)
                if template_row is None and _ROW.search(cell.value):
                    template_row = cell.row
    if template_row is None:
        raise ValidationError("В шаблоне нет строки с полями {{ row.… }}.")
    pattern = [(cell.column, cell.value) for cell in sheet[template_row]]
    entries = report_table(run)
    if len(entries) > 1:
        sheet.insert_rows(template_row + 1, amount=len(entries) - 1)
    for offset, entry in enumerate(entries):
        fields = _fields(entry)
        for column, raw in pattern:
            if not isinstance(raw, str) or not _ROW.search(raw):
                continue
            whole = _ROW.fullmatch(raw.strip())
            unknown = [m for m in _ROW.findall(raw) if m not in fields]
            if unknown:
                raise ValidationError(f"Неизвестные поля в шаблоне: {', '.join(unknown)}.")
            value: Any = fields[whole.group(1)] if whole else _substitute(raw, fields)
            cell = sheet.cell(row=template_row + offset, column=column, value=_clean(value))
            if isinstance(value, str) and value.startswith(_FORMULA_START):
                cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _substitute(raw: str, fields: dict[str, Any]) -> str:
    return _ROW.sub(lambda m: "" if fields[m.group(1)] is None else str(fields[m.group(1)]), raw)
