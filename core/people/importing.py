"""Bulk import of students and staff: every row is checked by PersonForm; one bad row and nothing is written."""

from typing import Any

from core.people.forms import PersonForm
from core.people.models import Category
from tenants.importing import Column, rows_read

PEOPLE_COLUMNS = (
    Column("last_name", "Фамилия"),
    Column("first_name", "Имя"),
    Column("middle_name", "Отчество", required=False),
    Column("category", "Категория"),
    Column("birth_date", "Дата рождения", required=False),
    Column("school_class", "Класс", required=False),
    Column("position", "Должность", required=False),
    Column("career_start", "Начало педагогической деятельности", required=False, aliases=("педстаж с",)),
    Column("hired_on", "Дата приёма", required=False),
    Column("email", "E-mail", required=False),
    Column("phone", "Телефон", required=False),
)

_CATEGORY_ALIASES = {label.lower(): value for value, label in Category.choices} | {
    "ученик": Category.STUDENT,
    "учитель": Category.TEACHER,
    "сотрудник": Category.TEACHER,
}


def people_rows_check(*, content: bytes, file_name: str) -> list[dict[str, Any]]:
    """[{"line", "data" (raw text), "cleaned" (JSON-ready or None), "errors"}] for the preview."""
    checked = []
    for line, raw in rows_read(content=content, file_name=file_name, columns=PEOPLE_COLUMNS):
        data = dict(raw)
        data["category"] = str(
            _CATEGORY_ALIASES.get(raw.get("category", "").strip().lower(), raw.get("category", ""))
        )
        for field in ("birth_date", "career_start", "hired_on"):
            data[field] = raw.get(field, "").split(" ")[0]  # «2010-05-01 00:00:00» from Excel dates
        form = PersonForm(data=data)
        if form.is_valid():
            cleaned = {
                k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in form.cleaned_data.items()
            }
            checked.append({"line": line, "data": raw, "cleaned": cleaned, "errors": []})
        else:
            errors = [f"{form.fields[f].label}: {m}" if f in form.fields else str(m)
                      for f, ms in form.errors.items() for m in ms]  # fmt: skip
            checked.append({"line": line, "data": raw, "cleaned": None, "errors": errors})
    return checked
