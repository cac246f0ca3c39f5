"""The contingent a school declares for a year: the denominators of its shares."""

from typing import Any

from django import forms

# Far above any school, far below PostgreSQL's integer: a 40-digit number was a 500 and left the row behind.
MAX_COUNT = 1_000_000
MAX_COUNT_SHOWN = f"{MAX_COUNT:,}".replace(",", " ")  # «1 000 000», as Russian writes it


class CountField(forms.CharField):
    """A head count: ASCII digits only, 0…MAX_COUNT, empty for «not declared».

    Not an IntegerField: that one takes «２» (a full-width digit) and «5.0» as numbers. The length is checked
    before ``int()``: Python refuses to convert more than 4 300 digits (a ValueError, i.e. a 500)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, strip=True, **kwargs)

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        raw = super().to_python(value)
        if not raw:
            return None
        digits = raw.lstrip("0")
        if (
            not raw.isdecimal()
            or not raw.isascii()
            or len(digits) > len(str(MAX_COUNT))
            or int(raw) > MAX_COUNT
        ):
            shown = raw if len(raw) <= 20 else f"{raw[:20]}…"
            raise forms.ValidationError(
                f"«{self.label}»: нужно целое число от 0 до {MAX_COUNT_SHOWN}, введено «{shown}».",
                code="count",
            )
        return int(raw)


class ContingentForm(forms.Form):
    students_10_18 = CountField(label="Обучающихся 10–18 лет")
    teachers = CountField(label="Педагогов")
    young_teachers = CountField(label="Педагогов до 35 лет со стажем до 3 лет")
