from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from regional.selectors import municipalities_for_user, school_list_for_user
from tenants.schema_names import school_host
from tenants.urls_util import site_url


def region_home(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "")
    try:
        municipality_id = int(request.GET.get("municipality") or 0) or None
    except ValueError:
        municipality_id = None
    schools = school_list_for_user(user=request.user, search=search, municipality_id=municipality_id)
    page = Paginator(schools, 25).get_page(request.GET.get("page"))
    for school in page.object_list:
        school.url = site_url(school_host(school.slug))
    return render(
        request,
        "region/home.html",
        {
            "page": page,
            "search": search,
            "municipality_id": municipality_id,
            "municipalities": municipalities_for_user(user=request.user),
        },
    )
