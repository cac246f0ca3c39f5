"""Reading a reporting date (``?on=ГГГГ-ММ-ДД``) typed by a user, the same way on every page and API.

An empty value means today. A value that is not a real calendar date, or one outside the years the
system can compute for (indicators subtract ages in years: 0001-01-01 overflowed), is refused with a
400 and a Russian message instead of silently becoming today — a report «на сегодня» that the user
believes is «на 31.02» is worse than an error.
"""

import re
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import BadRequest
from django.utils import timezone

EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)


def parse_date_param(raw: str | None, *, name: str = "on", default_today: bool = True) -> date:
    """The date in ``raw`` (ISO ГГГГ-ММ-ДД); today when empty. Raises BadRequest (400) otherwise."""
    raw = (raw or "").strip()
    if not raw:
        if default_today:
            return timezone.localdate()
        raise BadRequest(f"Укажите дату ({name}) в формате ГГГГ-ММ-ДД.")
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        raise BadRequest(
            f"Дата «{raw[:40]}» ({name}) не существует или записана не в формате ГГГГ-ММ-ДД."
        ) from None
    if not EARLIEST <= value <= LATEST:
        raise BadRequest(
            f"Дата ({name}) должна быть между {EARLIEST:%d.%m.%Y} и {LATEST:%d.%m.%Y}, получено {value:%d.%m.%Y}."
        )
    return value


def parse_on_param(raw: str | None) -> date:
    """``?on=`` of every «по состоянию на» page and API call."""
    return parse_date_param(raw, name="on")


_DATE_SHAPES = (
    (re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$"), (3, 2, 1)),  # ДД.ММ.ГГГГ as typed
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), (1, 2, 3)),  # ГГГГ-ММ-ДД from the API or a date picker
)


class RuDateField(forms.DateField):
    """A date typed as ДД.ММ.ГГГГ (or ISO), in a text box rather than the browser's date picker.

    The picker sends an empty value for a date it cannot represent, so «31.02.2026» became «no date» without
    a word; a text box lets the server see what was typed and say that such a day does not exist.
    """

    widget = forms.TextInput(attrs={"placeholder": "ДД.ММ.ГГГГ", "inputmode": "numeric", "maxlength": "10"})

    def to_python(self, value: Any) -> date | None:
        if isinstance(value, date):
            return value
        raw = str(value or "").strip()
        if not raw:
            return None
        for pattern, (y, m, d) in _DATE_SHAPES:
            match = pattern.match(raw)
            if match:
                try:
                    parsed = date(int(match[y]), int(match[m]), int(match[d]))
                except ValueError:
                    raise forms.ValidationError(
                        f"Даты «{raw}» нет в календаре: проверьте день и месяц.", code="impossible_date"
                    ) from None
                if not EARLIEST <= parsed <= LATEST:
                    raise forms.ValidationError(
                        f"Дата должна быть между {EARLIEST:%d.%m.%Y} и {LATEST:%d.%m.%Y}.", code="date_range"
                    )
                return parsed
        raise forms.ValidationError(f"Введите дату в виде ДД.ММ.ГГГГ, получено «{raw[:40]}».", code="invalid")

    def prepare_value(self, value: Any) -> Any:
        return value.strftime("%d.%m.%Y") if isinstance(value, date) else value
