from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django_tenants.utils import get_public_schema_name

from tenants.models import RegionSettings
from tenants.urls_util import site_url


def portal(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    is_school = tenant is not None and tenant.schema_name != get_public_schema_name()
    region = RegionSettings.objects.first()
    region_name = region.name if region else "Региональный центр наставничества"
    return {
        "portal": {
            "is_school": is_school,
            "title": tenant.short_name if is_school else region_name,
            "school": tenant if is_school else None,
            "region_name": region_name,
            "region_url": site_url(),
            "base_domain": settings.BASE_DOMAIN,
        }
    }
