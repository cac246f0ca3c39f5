"""A template task's «Срок» text turned into a date within the programme.

Templates say when a task is due in words relative to the programme or the school year: «в течение первого
месяца», «1 четверть», «II полугодие», «сентябрь», «до 15.10», «в течение года». A term read here becomes a
date between the programme's start and end; one that cannot be read (or would fall after the end) gets the
programme's end date and a note saying so, so a deadline always exists (overdue tasks can be counted) and
the person planning sees which dates to check. Seed 003 leaves «Срок» blank in every row: a blank term is
not a term, the caller spreads those tasks over the programme (``spread_deadlines``).
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from core.documents.render import ru_date

NUMBERS = {
    "1": 1, "один": 1, "одного": 1, "одной": 1, "первый": 1, "первого": 1, "первой": 1, "первая": 1,
    "первые": 1, "первых": 1, "i": 1,
    "2": 2, "два": 2, "двух": 2, "две": 2, "второй": 2, "второго": 2, "вторая": 2, "ii": 2,
    "3": 3, "три": 3, "трёх": 3, "трех": 3, "третий": 3, "третьего": 3, "третьей": 3, "третья": 3, "iii": 3,
    "4": 4, "четыре": 4, "четырёх": 4, "четырех": 4, "четвёртый": 4, "четвертый": 4, "четвёртого": 4,
    "четвертого": 4, "четвёртой": 4, "четвертой": 4, "четвёртая": 4, "четвертая": 4, "iv": 4,
    "5": 5, "пять": 5, "пяти": 5, "пятого": 5, "пятой": 5, "6": 6, "шесть": 6, "шести": 6, "шестого": 6,
    "полугода": 6, "7": 7, "8": 8, "9": 9, "10": 10, "11": 11, "12": 12,
}  # fmt: skip

MONTHS = {
    "январ": 1, "феврал": 2, "март": 3, "апрел": 4, "ма": 5, "июн": 6, "июл": 7, "август": 8,
    "сентябр": 9, "октябр": 10, "ноябр": 11, "декабр": 12,
}  # fmt: skip
MONTH_RE = (
    r"(январ|феврал|март|апрел|ма|июн|июл|август|сентябр|октябр|ноябр|декабр)"
    r"(?:ь|я|е|й|а)?"  # сентябрь, сентября, в сентябре; май, мая; март, марта
)

# The last month of each school quarter and half-year (the quarter ends within that month).
QUARTER_END_MONTH = {1: 10, 2: 12, 3: 3, 4: 5}
HALF_END_MONTH = {1: 12, 2: 5}

WHOLE = re.compile(
    r"^(в течение|на протяжении|весь|всего)?\s*(всего\s+)?(учебного\s+|календарного\s+)?"
    r"(года|год|периода|период|программы|срока программы|срока наставничества)$"
    r"|^(постоянно|систематически|регулярно|ежемесячно|еженедельно|в течение программы|по окончании программы"
    r"|в конце программы|к концу программы|по итогам программы|по итогам года|в конце года|в конце учебного года)$"
)
SPAN = re.compile(r"^(в течение|за|в)?\s*(?P<n>[а-яёi\d]+)?\s*(?P<unit>недел|месяц|дн|день|дня)[а-я]*$")
QUARTER = re.compile(r"^(в\s+)?(?P<n>[а-яёiv\d]+)\s*(-?[а-я]{1,2})?\s*(четверт|полугоди|триместр)[а-я]*$")
QUARTER_AFTER = re.compile(r"^(в\s+)?(четверт|полугоди)[а-я]*\s+(?P<n>[iv\d]+)$")
DATE = re.compile(r"^(до\s+|к\s+|не позднее\s+)?(?P<d>\d{1,2})\.(?P<m>\d{1,2})(\.(?P<y>\d{4}|\d{2}))?\.?$")
# «сентябрь», «в сентябре», «до конца октября», «сентябрь – октябрь», «май 2027 г»: months and nothing else
MONTH = re.compile(
    r"^(в |до конца |к концу |до |к )?" + MONTH_RE + r"(\s*[-,]\s*" + MONTH_RE + r")*(?P<year> \d{4})?( ?г)?$"
)


@dataclass(frozen=True)
class Deadline:
    due: date
    note: str = ""


def _normal(term: str) -> str:
    text = term.strip().lower().replace("ё", "е").replace("–", "-").replace("—", "-")
    return re.sub(r"\s+", " ", text).strip(" .;,")


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _next_month_end(month: int, after: date) -> date:
    """The end of the given month, the first one that is not before ``after``."""
    candidate = _month_end(after.year, month)
    return candidate if candidate >= after else _month_end(after.year + 1, month)


def _parse(text: str, starts_on: date, ends_on: date) -> date | None:
    if WHOLE.match(text):
        return ends_on
    if re.match(r"^(в течение |за |в )?(первого |первое )?полугоди[ея]|^(в течение |за )?полугода$", text):
        return starts_on + relativedelta(months=6)
    match = SPAN.match(text)
    if match:
        n = NUMBERS.get(match.group("n") or "1")
        if n is None:
            return None
        unit = match.group("unit")
        if unit.startswith("недел"):
            return starts_on + timedelta(weeks=n)
        if unit.startswith("месяц"):
            return starts_on + relativedelta(months=n)
        return starts_on + timedelta(days=n)
    match = QUARTER.match(text) or QUARTER_AFTER.match(text)
    if match:
        n = NUMBERS.get(match.group("n"))
        halves = "полугоди" in text
        table = HALF_END_MONTH if halves else QUARTER_END_MONTH
        if n not in table:
            return None
        return _next_month_end(table[n], starts_on)
    match = DATE.match(text)
    if match:
        day, month, year = int(match.group("d")), int(match.group("m")), match.group("y")
        try:
            if year:
                return date(int(year) + (2000 if len(year) == 2 else 0), month, day)
            candidate = date(starts_on.year, month, day)
            return candidate if candidate >= starts_on else date(starts_on.year + 1, month, day)
        except ValueError:
            return None
    match = MONTH.match(text)
    if match:  # a range of months is due at the end of the last one
        month = MONTHS[re.findall(MONTH_RE, text)[-1]]
        year = match.group("year")
        try:
            return _month_end(int(year), month) if year else _next_month_end(month, starts_on)
        except ValueError:  # «май 0000»: no such month, so the term is not understood
            return None
    return None


def term_deadline(term: str, *, starts_on: date, ends_on: date) -> Deadline:
    """The date a template term means for a programme running from ``starts_on`` to ``ends_on``."""
    text = _normal(term)
    due = _parse(text, starts_on, ends_on) if text else None
    if due is None:
        return Deadline(
            ends_on,
            f"Срок «{term.strip()}» не распознан: поставлено окончание программы ({ru_date(ends_on)}), уточните.",
        )
    if due > ends_on:
        return Deadline(
            ends_on,
            f"Срок «{term.strip()}» ({ru_date(due)}) позже окончания программы: поставлено {ru_date(ends_on)}.",
        )
    if due < starts_on:
        return Deadline(
            starts_on,
            f"Срок «{term.strip()}» ({ru_date(due)}) раньше начала программы: поставлено {ru_date(starts_on)}.",
        )
    return Deadline(due)


def spread_deadlines(*, starts_on: date, ends_on: date, count: int) -> list[date]:
    """Tasks with no term: task i of n falls due at (i+1)/n of the programme's term, in plan order."""
    span = (ends_on - starts_on).days
    return [starts_on + timedelta(days=span * (i + 1) // count) for i in range(count)]
