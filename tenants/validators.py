"""Russian registry numbers of an organisation: ИНН (10 digits), ОГРН (13 digits), КПП (9 characters)."""

import re

from django.core.exceptions import ValidationError

_INN_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_KPP_RE = re.compile(r"^\d{4}[\dA-Z]{2}\d{3}$")


def inn_validate(value: str) -> None:
    """ИНН of a legal entity: ten digits, the last one a check digit."""
    if not re.fullmatch(r"\d{10}", value or ""):
        raise ValidationError("ИНН организации — 10 цифр.", code="invalid_inn")
    digits = [int(ch) for ch in value]
    check = sum(w * d for w, d in zip(_INN_WEIGHTS, digits, strict=False)) % 11 % 10
    if check != digits[9]:
        raise ValidationError("ИНН не прошёл проверку контрольной цифры.", code="invalid_inn")


def ogrn_validate(value: str) -> None:
    """ОГРН: thirteen digits; the last is the first twelve modulo 11 (then modulo 10)."""
    if not re.fullmatch(r"\d{13}", value or ""):
        raise ValidationError("ОГРН — 13 цифр.", code="invalid_ogrn")
    if int(value[:12]) % 11 % 10 != int(value[12]):
        raise ValidationError("ОГРН не прошёл проверку контрольной цифры.", code="invalid_ogrn")


def kpp_validate(value: str) -> None:
    if not _KPP_RE.fullmatch(value or ""):
        raise ValidationError(
            "КПП — 9 знаков: 4 цифры, 2 цифры или латинские буквы, 3 цифры.", code="invalid_kpp"
        )


_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "iu", "я": "ia",
}  # fmt: skip


def slug_suggest(name: str) -> str:
    """A host slug from a school's short name: «МОУ СОШ № 14» → «mou-sosh-14»."""
    text = "".join(_TRANSLIT.get(ch, ch) for ch in name.lower())
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:40].rstrip("-")
    # A slug is 2–40 characters (tenants.schema_names.slug_validate): never suggest one it would refuse.
    return slug if len(slug) >= 2 else f"school-{slug}".rstrip("-")


def inn_complete(first_nine: str) -> str:
    """The valid ИНН that starts with these nine digits (for demo and synthetic data)."""
    digits = [int(ch) for ch in first_nine]
    return first_nine + str(sum(w * d for w, d in zip(_INN_WEIGHTS, digits, strict=False)) % 11 % 10)


def ogrn_complete(first_twelve: str) -> str:
    return first_twelve + str(int(first_twelve) % 11 % 10)
