"""XLSX files of region pages. Cell text can never become a formula, and control characters are dropped."""

import io
import re
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _clean(value: Any) -> Any:
    return _ILLEGAL.sub("", value) if isinstance(value, str) else value


def _append(sheet: Any, values: list[Any]) -> None:
    sheet.append([_clean(v) for v in values])
    row = sheet._current_row  # where append() just wrote: reading max_row would rescan the sheet
    for column, value in enumerate(values, start=1):
        if isinstance(value, str) and value.startswith(_FORMULA_START):
            sheet.cell(row=row, column=column).data_type = "s"  # user text stays text: never a formula


def xlsx_table(*, title: str, header: list[str], rows: Iterable[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # noqa: S101 - a new workbook has a sheet
    sheet.title = title[:31]
    _append(sheet, header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        _append(sheet, row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
