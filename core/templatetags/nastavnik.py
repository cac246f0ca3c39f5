from typing import Any

from django import template

from core.facts.evidence import evidence_describe
from core.navigation import Entry, menu_for

register = template.Library()


def plural_ru(count: int, forms: str) -> str:
    """The Russian form of a word for ``count``: ``forms`` is «одна,две,пять», e.g. «школа,школы,школ».

    1, 21, 101 → the first; 2–4, 22–24 → the second; 0, 5–20, 11–14, 25… → the third. The one place the
    product declines words by number: templates use the filter of the same name, Python code this function.
    """
    one, few, many = (form.strip() for form in forms.split(","))
    n = abs(int(count))
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


@register.filter(name="plural_ru")
def plural_ru_filter(count: Any, forms: str) -> str:
    """``{{ n|plural_ru:"школу,школы,школ" }}`` → the word only; a value that is not a number → the many-form."""
    try:
        return plural_ru(int(count), forms)
    except (TypeError, ValueError):
        return forms.split(",")[-1].strip()


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key, key) if isinstance(mapping, dict) else key


@register.filter
def chosen_in(value: Any, chosen: Any) -> bool:
    """Is this option among a multiple field's values? (``"1" in "['12']"`` was true for a string test.)"""
    if chosen is None:
        return False
    values = chosen if isinstance(chosen, (list, tuple, set)) else [chosen]
    return str(value) in {str(v) for v in values}


@register.simple_tag(takes_context=True)
def site_menu(context: template.Context) -> list[Entry]:
    """The menu for this user and host (core.navigation): only the sections they may open."""
    request = context.get("request")
    return menu_for(request) if request is not None else []


@register.filter
def evidence(value: Any) -> str:
    """A checklist item's evidence as a reader wants it: «пар: 3, закреплено приказом: 3 — Приказ … № 2-н».

    Printed key by key it read like code («3; ['Приказ … № 2-н от 23.11.2026']; 3», issue 14). The wording
    has one home, core.facts.evidence (the pages, the round pages and the XLSX all use it).
    """
    return evidence_describe(value) if isinstance(value, dict) else ""
