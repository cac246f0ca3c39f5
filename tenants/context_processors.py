from typing import Any

from django.conf import settings
from django.http import HttpRequest

from tenants.context import request_school
from tenants.models import SCHOOL_STAFF_ROLES, RegionSettings
from tenants.selectors import user_school_roles
from tenants.urls_util import site_url


def portal(request: HttpRequest) -> dict[str, Any]:
    school = request_school(request)
    is_school = school is not None
    region = RegionSettings.objects.first()
    region_name = region.name if region else "Региональный центр наставничества"
    return {
        "portal": {
            "is_school": is_school,
            "title": school.short_name if school else region_name,
            "school": school,
            "is_school_staff": bool(school and user_school_roles(request.user, school) & SCHOOL_STAFF_ROLES),
            "region_name": region_name,
            "region_url": site_url(),
            "base_domain": settings.BASE_DOMAIN,
        }
    }
