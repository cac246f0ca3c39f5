"""Absolute URLs for the region site and school sites (e-mail links must carry the right host)."""

from django.conf import settings


def site_url(host: str | None = None, path: str = "/") -> str:
    host = host or settings.BASE_DOMAIN
    port = f":{settings.SITE_PORT}" if settings.SITE_PORT else ""
    return f"{settings.SITE_SCHEME}://{host}{port}{path}"
