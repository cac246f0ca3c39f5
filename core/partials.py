"""htmx helpers shared by the school's pages: a view answers a fragment when htmx asked, the whole page when
not (the same URL works without JavaScript)."""

from django.http import HttpRequest


def is_htmx(request: HttpRequest) -> bool:
    """True for a request htmx made (django-htmx's middleware sets ``request.htmx`` from the HX-Request header).

    A history-restore request wants the whole page, not a fragment.
    """
    details = getattr(request, "htmx", None)
    return bool(details) and not getattr(details, "history_restore_request", False)
