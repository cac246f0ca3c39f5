"""Absolute URLs for the region site and school sites (e-mail links must carry the right host).

While a request is answered, links take the scheme and port the browser used (the Host header), so a
development server on any port — or a proxy on 443 — gets working links; outside a request (Celery
workers, management commands) they come from SITE_SCHEME and SITE_PORT.
"""

from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest
from django.http.request import split_domain_port

_request_origin: ContextVar[tuple[str, str] | None] = ContextVar("request_origin", default=None)


def remember_request_origin(request: HttpRequest) -> None:
    """Called by SchoolTenantMiddleware for every request, before any view builds a link."""
    _, port = split_domain_port(request.get_host())
    scheme = "https" if request.is_secure() else settings.SITE_SCHEME
    _request_origin.set((str(scheme), port))


def site_url(host: str | None = None, path: str = "/") -> str:
    host = host or settings.BASE_DOMAIN
    scheme, port = _request_origin.get() or (settings.SITE_SCHEME, settings.SITE_PORT)
    return f"{scheme}://{host}{':' + port if port else ''}{path}"
