"""Whole numbers read from a request (ids, years, scores): ASCII digits only, at most 18 of them.

``str.isdigit()`` also accepts «²» or «١», which ``int()`` then refuses with a ValueError (a 500), and a
30-digit id does not fit the database's bigint. Every id or count taken from a URL or a form goes through here.
"""

import re

_WHOLE_NUMBER = re.compile(r"[0-9]{1,18}")


def is_number(text: str | None) -> bool:
    return bool(text) and _WHOLE_NUMBER.fullmatch(text or "") is not None


def number_or_none(text: str | None) -> int | None:
    return int(text) if text and _WHOLE_NUMBER.fullmatch(text) else None
