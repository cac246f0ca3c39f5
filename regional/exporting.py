"""XLSX files of region pages. Cell text can never become a formula, and control characters are dropped.

Files are written in openpyxl's write-only mode: rows stream to the file as they are appended instead of
being kept as a grid of cell objects, so memory stays flat however many schools a file lists.
"""

import io
import re
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
BOLD = Font(bold=True)
HEADING = Alignment(wrap_text=True, vertical="center", horizontal="center")


def _clean(value: Any) -> Any:
    return _ILLEGAL.sub("", value) if isinstance(value, str) else value


def xlsx_cells(
    sheet: Any, values: list[Any], *, font: Font | None = None, alignment: Alignment | None = None
) -> list[Any]:
    """One row for a write-only sheet: text stays text (never a formula), optional font and alignment."""
    row = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=_clean(value))
        if isinstance(value, str) and value.startswith(_FORMULA_START):
            cell.data_type = "s"  # user text stays text: never a formula
        if font is not None:
            cell.font = font
        if alignment is not None:
            cell.alignment = alignment
        row.append(cell)
    return row


def xlsx_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_table(*, title: str, header: list[str], rows: Iterable[list[Any]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append(xlsx_cells(sheet, header, font=BOLD))
    for row in rows:
        sheet.append(xlsx_cells(sheet, row))
    return xlsx_bytes(workbook)
