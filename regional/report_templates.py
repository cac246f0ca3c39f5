"""Filling the region's own XLSX templates.

Placeholders (``REPORT_XLSX_PLACEHOLDERS``): «{{ on }}» anywhere (the reporting date), and one row of
«{{ row.<field> }}» cells that is repeated for every school and «Итого» line. Fields: number, municipality,
title, mentors, mentees, pairs, programmes_started, programmes_completed, ended_early, satisfaction,
compliance, and for the shares students_10_18 / young_teachers_with_mentor / teachers_in_mentoring:
.counted, .total, .percent.

Each cell with a placeholder is a small template rendered in the same sandbox as the DOCX templates
(``core.documents.sandbox``), so the same rules apply: only these placeholders, no calls, no private
attributes. A cell that is exactly one «{{ row.x }}» keeps the value's type (a number stays a number).
"""

import io
import re
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from jinja2 import TemplateError, meta
from jinja2.environment import Template
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from core.documents.placeholders import Group, Spec, Value, sample_context
from core.documents.sandbox import TemplateRefused, TemplateSandbox
from regional.exporting import _FORMULA_START, _clean
from regional.models import ReportRun, ReportTemplate
from regional.report_files import COUNTS, SHARES, _pct, report_table
from tenants.models import User
from tenants.uploads import ZipLimits, zip_bomb_check

MAX_TEMPLATE_BYTES = 2 * 1024 * 1024
# A form is a header and one row of placeholders: a few hundred KB unpacked at most. Unlike the lists,
# the template is loaded whole (it is written back), so its limit is tighter.
TEMPLATE_LIMITS = ZipLimits(max_total=5 * 1024 * 1024, label="XLSX")
MAX_TEMPLATE_CELLS = 20_000

# Derived from ``_fields`` below (the context each row is rendered with) and the report's SHARES/COUNTS.
REPORT_XLSX_PLACEHOLDERS: Spec = {
    "on": Value("отчётная дата (ДД.ММ.ГГГГ)", "01.09.2026"),
    "row": Group(
        "строка отчёта (школа или «Итого»)",
        {
            "number": Value("№ по порядку", 1),
            "municipality": Value("муниципалитет (в строке «Итого» — её название)", "Тверь"),
            "title": Value("школа (в строке «Итого» пусто)", "Школа"),
            **{
                key: Group(
                    label,
                    {
                        "counted": Value(f"{label}: в наставничестве", 1),
                        "total": Value(f"{label}: всего", 4),
                        "percent": Value(f"{label}: доля, %", 25.0),
                    },
                )
                for key, label in SHARES
            },
            **{key: Value(label, 3) for key, label in COUNTS},
            "satisfaction": Value("средняя удовлетворённость", 4.5),
            "compliance": Value("соответствие целевой модели, %", 80),
        },
    ),
}

_WHOLE_ROW = re.compile(r"\{\{\s*row\.([a-z0-9_]+(?:\.[a-z0-9_]+)?)\s*\}\}")
_MARKERS = ("{{", "{%", "{#")


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
        fields[key] = {"counted": a, "total": b, "percent": _pct(a, b)}
    for key, _label in COUNTS:
        fields[key] = values.get(key, 0)
    total, answers = values.get("satisfaction") or [0, 0]
    fields["satisfaction"] = round(total / answers, 1) if answers else None
    return fields


def report_fill_template(*, template: bytes, run: ReportRun) -> bytes:
    """The region's template filled with a finished report run; any refusal is a 400 (``TemplateRefused``)."""
    try:
        workbook = _open(template)
        return _fill(workbook, on=f"{run.on:%d.%m.%Y}", rows=lambda: [_fields(e) for e in report_table(run)])
    except TemplateRefused:
        raise
    except ValidationError as error:  # a stored form that is broken, a bomb, or has no row of fields
        raise TemplateRefused(error.messages, code="template_error") from error


def report_template_check(content: bytes) -> None:
    """Refuse a template that is a bomb, broken, or uses anything but the declared placeholders."""
    sample = sample_context(REPORT_XLSX_PLACEHOLDERS)
    _fill(_open(content), on=sample["on"], rows=lambda: [sample["row"], sample["row"]])


def report_template_add(*, title: str, upload: UploadedFile | None, actor: User | None) -> ReportTemplate:
    """Checked in full (size, archive, placeholders, a test fill) before anything is stored."""
    title = " ".join(title.split())
    if upload is None or not title:
        raise ValidationError("Укажите название и выберите XLSX-файл шаблона.", code="required")
    if len(title) > 300:
        raise ValidationError("Название шаблона — не длиннее 300 символов.", code="title_too_long")
    if (upload.size or 0) > MAX_TEMPLATE_BYTES:
        raise ValidationError("Шаблон больше 2 МБ: для формы отчёта так не бывает.", code="file_too_large")
    content = upload.read()
    if content[:4] != b"PK\x03\x04":
        raise ValidationError("Шаблон должен быть файлом XLSX.", code="file_type")
    report_template_check(content)
    template = ReportTemplate(title=title, uploaded_by=actor)
    template.file.save(f"report-template-{uuid.uuid4().hex[:8]}.xlsx", ContentFile(content), save=True)
    return template


def _open(content: bytes) -> Any:
    zip_bomb_check(io.BytesIO(content), limits=TEMPLATE_LIMITS)
    try:
        return load_workbook(io.BytesIO(content))
    except Exception as error:  # openpyxl raises many kinds of errors on a broken file
        raise ValidationError("Шаблон повреждён или это не XLSX.", code="broken_file") from error


def _compile(env: TemplateSandbox, text: str, where: str) -> Template:
    try:
        return env.from_string(text)  # the sandbox checks the placeholders while parsing
    except TemplateRefused as error:
        raise TemplateRefused(f"Ячейка {where}: {error}", code="template_placeholder") from None
    except TemplateError as error:
        raise TemplateRefused(f"Ячейка {where}: ошибка в шаблоне: {error}", code="template_error") from None


def _render(template: Template, context: dict[str, Any], where: str) -> str:
    try:
        return template.render(context)
    except TemplateError as error:  # SecurityError, UndefinedError: refused, never half-filled
        raise TemplateRefused(f"Ячейка {where}: ошибка в шаблоне: {error}", code="template_error") from None
    except (ArithmeticError, TypeError, ValueError) as error:  # «divisibleby row.pairs» with 0 pairs
        raise TemplateRefused(f"Ячейка {where}: ошибка в шаблоне: {error}", code="template_error") from None


def _lookup(fields: dict[str, Any], path: str) -> Any:
    value: Any = fields
    for part in path.split("."):
        value = value[part]
    return value


def _fill(workbook: Any, *, on: str, rows: Any) -> bytes:
    sheet = workbook.active
    if sheet is None:
        raise ValidationError("В шаблоне нет листа.", code="broken_file")
    if sheet.max_row * sheet.max_column > MAX_TEMPLATE_CELLS:
        raise ValidationError(
            f"В шаблоне больше {MAX_TEMPLATE_CELLS} ячеек: для формы отчёта так не бывает.", code="too_large"
        )
    # Autoescape is off here on purpose: openpyxl escapes the XML itself, so «&» must stay «&» in the cell.
    env = TemplateSandbox(REPORT_XLSX_PLACEHOLDERS, autoescape=False, finalize=_blank_none)
    template_row: int | None = None
    row_cells: dict[int, Template] = {}
    for row in sheet.iter_rows():
        for cell in row:
            if not isinstance(cell.value, str) or not any(m in cell.value for m in _MARKERS):
                continue
            compiled = _compile(env, cell.value, cell.coordinate)
            if "row" not in meta.find_undeclared_variables(env.parse_unchecked(cell.value)):
                cell.value = _clean(_render(compiled, {"on": on}, cell.coordinate))
                continue
            if template_row is not None and cell.row != template_row:
                raise TemplateRefused(
                    f"Ячейка {cell.coordinate}: поля {{{{ row.… }}}} должны стоять в одной строке "
                    f"(первая такая строка — {template_row}-я).",
                    code="template_placeholder",
                )
            template_row = cell.row
            row_cells[cell.column] = compiled
    if template_row is None:
        raise ValidationError("В шаблоне нет строки с полями {{ row.… }}.", code="template_no_row")
    pattern = [(cell.column, cell.value) for cell in sheet[template_row]]
    entries = rows()
    if len(entries) > 1:
        sheet.insert_rows(template_row + 1, amount=len(entries) - 1)
    for offset, fields in enumerate(entries):
        for column, raw in pattern:
            if column not in row_cells:
                continue
            whole = _WHOLE_ROW.fullmatch(raw.strip())
            value: Any = _lookup(fields, whole.group(1)) if whole else None
            if not whole or isinstance(value, dict):
                where = f"{get_column_letter(column)}{template_row}"
                value = _render(row_cells[column], {"on": on, "row": fields}, where)
            cell = sheet.cell(row=template_row + offset, column=column, value=_clean(value))
            if isinstance(value, str) and value.startswith(_FORMULA_START):
                cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _blank_none(value: Any) -> Any:
    return "" if value is None else value
