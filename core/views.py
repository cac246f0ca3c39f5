from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tenants.models import Role
from tenants.selectors import user_school_roles


def school_home(request: HttpRequest) -> HttpResponse:
    school = request.tenant  # type: ignore[attr-defined]
    roles = user_school_roles(request.user, school)
    return render(
        request,
        "school/home.html",
        {"school": school, "roles": [Role(r).label for r in sorted(roles)]},
    )
