"""Reading uploaded lists (XLSX or CSV) into rows keyed by field name, with clear errors in Russian.

The file type is told by its content, not its name. Nothing here writes to the database.

Uploads are hostile until proven otherwise: an XLSX is a zip, and 300 KB can unpack to gigabytes. So the
archive's central directory is checked first (``zip_bomb_check``), the sheet is streamed in read-only mode,
and rows, columns and cell lengths are capped while reading — a bomb is refused in milliseconds.
"""

import csv
import io
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from tenants.uploads import XLSX_LIMITS, zip_bomb_check

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 50  # the widest list has 11 columns; anything further right is not read at all
MAX_CELL_CHARS = 1000  # the longest legitimate value is a school's full name (under 500)
MAX_SHEET_ROWS = 50_000  # rows read, empty ones included, before the file is refused


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    required: bool = True
    aliases: tuple[str, ...] = ()


SCHOOL_COLUMNS = (
    Column("name", "Полное наименование", aliases=("наименование",)),
    Column("short_name", "Краткое наименование"),
    Column("inn", "ИНН"),
    Column("ogrn", "ОГРН"),
    Column("kpp", "КПП", required=False),
    Column("municipality", "Муниципалитет", aliases=("муниципальное образование",)),
    Column("kind", "Тип", aliases=("тип организации",)),
    Column("slug", "Адрес", required=False, aliases=("адрес (slug)", "slug", "поддомен")),
    Column("curator_email", "E-mail куратора", aliases=("email куратора", "почта куратора", "e-mail")),
)


def _norm(header: object) -> str:
    return " ".join(str(header or "").replace("ё", "е").replace("Ё", "Е").lower().split())


def _clean_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # ИНН typed as a number in Excel
    text = str(value)
    return "".join(ch for ch in text if ch >= " " or ch == "\t").strip()


def _row_check(cells: list[object] | tuple[object, ...], line: int) -> None:
    for cell in cells:
        if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
            raise ValidationError(
                f"Строка {line}: в ячейке больше {MAX_CELL_CHARS} знаков. Проверьте файл: так длинно не "
                "бывает ни одно значение списка.",
                code="cell_too_long",
            )


def rows_read(
    *, content: bytes, file_name: str, columns: tuple[Column, ...]
) -> list[tuple[int, dict[str, str]]]:
    """(line number in the file, {field: text}) for each non-empty data row."""
    if not content:
        raise ValidationError("Файл пустой.", code="empty_file")
    if len(content) > MAX_FILE_BYTES:
        raise ValidationError("Файл больше 5 МБ.", code="file_too_large")
    table = _xlsx_rows(content) if content[:4] == b"PK\x03\x04" else _csv_rows(content)
    if not table:
        raise ValidationError("В файле нет строк.", code="empty_file")
    header, *body = table
    index = _map_header(header, columns)
    rows = []
    for offset, cells in enumerate(body, start=2):
        values = {field: (_clean_cell(cells[i]) if i < len(cells) else "") for field, i in index.items()}
        if any(values.values()):
            rows.append((offset, values))
    if not rows:
        raise ValidationError("В файле нет ни одной строки с данными под заголовком.", code="empty_file")
    if len(rows) > MAX_ROWS:
        raise ValidationError(f"Не больше {MAX_ROWS} строк в одном файле.", code="too_many_rows")
    return rows


def _map_header(header: list[object], columns: tuple[Column, ...]) -> dict[str, int]:
    positions = {_norm(cell): i for i, cell in enumerate(header) if _norm(cell)}
    index: dict[str, int] = {}
    for column in columns:
        for name in (column.header, *column.aliases):
            if _norm(name) in positions:
                index[column.field] = positions[_norm(name)]
                break
    missing = [c.header for c in columns if c.required and c.field not in index]
    if missing:
        raise ValidationError(
            "Не найдены столбцы: "
            + ", ".join(f"«{m}»" for m in missing)
            + ". Скачайте шаблон и заполните его.",
            code="wrong_columns",
        )
    return index


def _too_many_rows() -> ValidationError:
    return ValidationError(f"Не больше {MAX_ROWS} строк в одном файле.", code="too_many_rows")


def _collect(rows_iter: Any) -> list[list[object]]:
    """Rows (capped at MAX_COLUMNS), refusing long cells and too many rows while reading."""
    rows: list[list[object]] = []
    filled = 0
    for line, row in enumerate(rows_iter, start=1):
        if line > MAX_SHEET_ROWS:
            raise _too_many_rows()
        cells = list(row[:MAX_COLUMNS])
        if cells.count(None) + cells.count("") == len(cells):
            rows.append(cells)  # kept so line numbers stay those of the file; trimmed below
            continue
        _row_check(cells, line)
        filled += 1
        if filled > MAX_ROWS + 1:  # the header and MAX_ROWS data rows
            raise _too_many_rows()
        rows.append(cells)
    while rows and not any(_clean_cell(c) for c in rows[-1]):
        rows.pop()
    return rows


def _xlsx_rows(content: bytes) -> list[list[object]]:
    from openpyxl import load_workbook

    zip_bomb_check(io.BytesIO(content), limits=XLSX_LIMITS)  # before openpyxl inflates anything
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # BadZipFile, KeyError, defusedxml's EntitiesForbidden, ParseError…
        raise ValidationError("Файл повреждён или это не XLSX.", code="broken_file") from error
    try:
        sheet = workbook.worksheets[0]
        return _collect(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True))
    except ValidationError:
        raise
    except Exception as error:  # openpyxl raises many kinds of errors on a malformed sheet
        raise ValidationError("Не удалось прочитать лист XLSX.", code="broken_file") from error
    finally:
        workbook.close()


def _csv_rows(content: bytes) -> list[list[object]]:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1251 decodes any byte string
        raise ValidationError("Не удалось прочитать кодировку файла.", code="broken_file")
    if "\x00" in text:
        raise ValidationError("Это не CSV и не XLSX.", code="broken_file")
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    try:
        return _collect(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as error:
        if "field larger than field limit" in str(error):  # csv's own cap (128 KB) stops a huge field early
            raise ValidationError(
                f"В файле есть ячейка длиннее {MAX_CELL_CHARS} знаков.", code="cell_too_long"
            ) from error
        raise ValidationError("Файл CSV повреждён.", code="broken_file") from error


def template_xlsx(
    *, columns: tuple[Column, ...], example: list[str], notes: list[tuple[str, str]], title: str = "Школы"
) -> bytes:
    """A template to fill in: headers, one example row, and a sheet of hints."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # noqa: S101 - a new workbook always has a sheet
    sheet.title = title
    sheet.append([c.header for c in columns])
    sheet.append(example)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for i, _ in enumerate(columns, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=i).column_letter].width = 28
    hints = workbook.create_sheet("Подсказки")
    for row in notes:
        hints.append(list(row))
    hints.column_dimensions["A"].width = 30
    hints.column_dimensions["B"].width = 90
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
