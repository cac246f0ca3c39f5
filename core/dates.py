"""Reading a reporting date (``?on=ГГГГ-ММ-ДД``) typed by a user, the same way on every page and API.

An empty value means today. A value that is not a real calendar date, or one outside the years the
system can compute for (indicators subtract ages in years: 0001-01-01 overflowed), is refused with a
400 and a Russian message instead of silently becoming today — a report «на сегодня» that the user
believes is «на 31.02» is worse than an error.
"""

from datetime import date

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
