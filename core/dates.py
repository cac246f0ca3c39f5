"""Reading a date typed by a user (``?on=`` of every «по состоянию на» page and API call, and the date
fields of the forms), the same way everywhere: ONE parser, ``read_date``.

The user sees and types ДД.ММ.ГГГГ; the browser's date picker and API clients send ГГГГ-ММ-ДД: both are
accepted. A value that is not a real calendar date, or one outside the years the system can compute for
(indicators subtract ages in years: 0001-01-01 overflowed), is refused with a Russian message that quotes
what was received — on a page a 400 instead of silently today: a report «на сегодня» that the user
believes is «на 31.02» is worse than an error. The messages never name an internal parameter (``on``).
"""

import re
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import BadRequest
from django.utils import timezone

EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)

_DATE_SHAPES = (
    (re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", re.ASCII), (3, 2, 1)),  # ДД.ММ.ГГГГ as typed
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII), (1, 2, 3)),  # ГГГГ-ММ-ДД: API, date picker
)
_QUOTED = 40


class DateRefused(ValueError):
    """A typed value that is not a date the system can use; ``str()`` is the Russian message."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def quoted(raw: str) -> str:
    """What was received, fit to quote back: its first characters, control characters (NUL …) as «�»."""
    text = "".join(c if c.isprintable() else "\N{REPLACEMENT CHARACTER}" for c in raw[:_QUOTED])
    return text + ("…" if len(raw) > _QUOTED else "")


def read_date(raw: str) -> date:
    """The date in ``raw`` (ДД.ММ.ГГГГ or ГГГГ-ММ-ДД, surrounding spaces ignored). Raises DateRefused."""
    raw = raw.strip()
    for pattern, (y, m, d) in _DATE_SHAPES:
        match = pattern.fullmatch(raw)
        if match:
            try:
                value = date(int(match[y]), int(match[m]), int(match[d]))
            except ValueError:
                raise DateRefused(
                    f"Даты «{quoted(raw)}» нет в календаре: проверьте день и месяц.", "impossible_date"
                ) from None
            if not EARLIEST <= value <= LATEST:
                raise DateRefused(
                    f"Дата «{quoted(raw)}» вне допустимых лет: укажите дату между {EARLIEST:%d.%m.%Y} "
                    f"и {LATEST:%d.%m.%Y}.",
                    "date_range",
                )
            return value
    raise DateRefused(
        f"Дата «{quoted(raw)}» не распознана: введите её в виде ДД.ММ.ГГГГ, например "
        f"{timezone.localdate():%d.%m.%Y}.",
        "invalid",
    )


def parse_date_param(raw: str | None, *, default_today: bool = True, allow_future: bool = True) -> date:
    """A date from a query or a posted value: today when empty (or «Укажите дату» without
    ``default_today``); with ``allow_future=False`` a day still to come is refused too.
    Every refusal is a BadRequest (the Russian 400 page, or a field error in the API)."""
    raw = (raw or "").strip()
    today = timezone.localdate()
    if not raw:
        if default_today:
            return today
        raise BadRequest("Укажите дату в виде ДД.ММ.ГГГГ.")
    try:
        value = read_date(raw)
    except DateRefused as error:
        raise BadRequest(str(error)) from None
    if not allow_future and value > today:
        raise BadRequest(
            f"Дата «{quoted(raw)}» ещё не наступила: данные есть по сегодняшний день ({today:%d.%m.%Y})."
        )
    return value


def parse_on_param(raw: str | None) -> date:
    """``?on=`` of a school's «по состоянию на» page or API call: today when empty."""
    return parse_date_param(raw)


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
        try:
            return read_date(raw)
        except DateRefused as error:
            raise forms.ValidationError(str(error), code=error.code) from None

    def prepare_value(self, value: Any) -> Any:
        return value.strftime("%d.%m.%Y") if isinstance(value, date) else value
