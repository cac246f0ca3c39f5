from typing import Any

from django import template

from core.navigation import Entry, menu_for

register = template.Library()


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key, key) if isinstance(mapping, dict) else key


@register.simple_tag(takes_context=True)
def site_menu(context: template.Context) -> list[Entry]:
    """The menu for this user and host (core.navigation): only the sections they may open."""
    request = context.get("request")
    return menu_for(request) if request is not None else []
