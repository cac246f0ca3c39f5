"""System checks for settings the tenancy depends on (run by `manage.py check`)."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

from tenants.schema_names import SLUG_RE


@register()
def tenancy_settings_check(app_configs: Any, **kwargs: Any) -> list[Error]:
    errors: list[Error] = []
    if settings.MIDDLEWARE[0] != "tenants.middleware.SchoolTenantMiddleware":
        errors.append(Error("SchoolTenantMiddleware must be the first middleware.", id="tenants.E001"))
    if "tenants.middleware.AccessMiddleware" not in settings.MIDDLEWARE:
        errors.append(Error("AccessMiddleware is required: school pages would be open.", id="tenants.E002"))
    labels = [part for part in settings.BASE_DOMAIN.split(".") if part]
    if not labels or not all(SLUG_RE.fullmatch(label) for label in labels):
        errors.append(Error(f"BASE_DOMAIN {settings.BASE_DOMAIN!r} is not a host name.", id="tenants.E003"))
    if settings.SESSION_COOKIE_DOMAIN is not None:
        errors.append(
            Error("Session cookies must be host-only (SESSION_COOKIE_DOMAIN = None).", id="tenants.E004")
        )
    return errors
