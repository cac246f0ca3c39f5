"""Request routing by host, then access by role.

SchoolTenantMiddleware (first): the base host is the region site (public schema); ``<slug>.<base>`` is a
school; any other host — ``www.<slug>.<base>`` and ``www.<base>`` included — is a 404, never the public site.
It also turns an unreachable database into a 503 (config/unavailable.py) for everything behind it, and a
school whose schema is missing into a «Школа недоступна» page.

AccessMiddleware (after authentication): a school's pages only for that school's members (403 for
anyone else), region pages only for regional staff. The API enforces the same rules in its permission
classes, since token authentication happens inside DRF.
"""

from collections.abc import Callable

import sentry_sdk
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db import connection
from django.db.models.expressions import RawSQL
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.request import split_domain_port
from django.shortcuts import render
from django_tenants.middleware.main import TenantMainMiddleware

from config.error_views import page_not_found
from config.unavailable import (
    database_is_unavailable,
    database_unavailable_response,
    school_unavailable_response,
)
from tenants.context import current_schema_name, request_school, set_public_schema
from tenants.models import Domain, School
from tenants.selectors import user_is_regional_staff, user_may_enter_school, user_workplaces
from tenants.urls_util import remember_request_origin

# Paths reachable without a role on the host: logging in, invitations, static files. The API checks
# its own permissions (token auth happens inside DRF); Django admin checks is_staff itself.
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# /calendar/: a calendar app has no session; the feed's secret URL is its key (core.notifications.views).
OPEN_PATH_PREFIXES = (
    "/accounts/",
    "/invite/",
    "/static/",
    "/api/",
    "/favicon.ico",
    "/healthz",
    "/readyz",
    "/calendar/",
)
REGION_ONLY_OPEN_PREFIXES = ("/admin/",)


# Whether the school's schema exists, read in the same query as the host's domain (no extra round trip).
# A constant statement: no input reaches it. The join alias is the table's name (one join, from Domain).
_SCHEMA_EXISTS = RawSQL("EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = tenants_school.schema_name)", [])


class SchoolTenantMiddleware(TenantMainMiddleware):
    @staticmethod
    def hostname_from_request(request: HttpRequest) -> str:
        # django-tenants strips a leading «www.», which served www.<slug>.<base> as the school and
        # www.<base> as the region. Only the exact hosts are ours.
        return split_domain_port(request.get_host())[0].lower()

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        try:
            return self._route(request)
        except Exception as exc:
            if database_is_unavailable(exc):
                return database_unavailable_response(request, exc)
            raise

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        # Any view (or its template) that meets a lost database: 503, also under DEBUG.
        if database_is_unavailable(exception):
            return database_unavailable_response(request, exception)
        return None

    def _route(self, request: HttpRequest) -> HttpResponse | None:
        set_public_schema()
        hostname = self.hostname_from_request(request)
        remember_request_origin(request)  # links built for this request carry its scheme and port
        if hostname == settings.BASE_DOMAIN:
            request.tenant = connection.tenant  # type: ignore[attr-defined]  # django-tenants' public stand-in
            self.setup_url_routing(request, force_public=True)
        else:
            try:
                domain = (
                    Domain.objects.select_related("tenant")
                    .annotate(schema_exists=_SCHEMA_EXISTS)
                    .get(domain=hostname)
                )
            except Domain.DoesNotExist:
                # The product's own 404 in every mode: a raised Http404 showed Django's English debug
                # page under DEBUG (this middleware is first, so no other one can replace it).
                return page_not_found(request)
            tenant = domain.tenant
            if tenant.status in (School.Status.PENDING, School.Status.FAILED):
                # The schema may not exist yet: never route a request into it.
                return render(request, "school_not_ready.html", {"school": tenant}, status=503)
            if not domain.schema_exists:
                # A registered school whose schema is gone: say so, never a 500; the region is unaffected.
                return school_unavailable_response(request, tenant)
            tenant.domain_url = hostname  # type: ignore[assignment]  # declared None in django-tenants
            request.tenant = tenant  # type: ignore[attr-defined]
            connection.set_tenant(tenant)  # type: ignore[attr-defined]
            self.setup_url_routing(request)
        sentry_sdk.set_tag("schema", current_schema_name())
        return None


class AccessMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            # request.user loads the session and the user: the first queries of most requests.
            if request.user.is_authenticated:
                sentry_sdk.set_user({"id": request.user.pk})
            denied = self._check(request)
        except Exception as exc:
            if database_is_unavailable(exc):
                return database_unavailable_response(request, exc)
            raise
        return denied if denied is not None else self.get_response(request)

    def _check(self, request: HttpRequest) -> HttpResponse | None:
        path = request.path_info
        school = request_school(request)
        public = school is None
        archived = school is not None and school.status == School.Status.ARCHIVED
        # An archived school is read-only; logging out (under /accounts/) still works.
        if archived and request.method not in SAFE_METHODS and not path.startswith("/accounts/"):
            return _archived_refusal(request)
        if path.startswith(OPEN_PATH_PREFIXES) or (public and path.startswith(REGION_ONLY_OPEN_PREFIXES)):
            return None
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if school is None:
            allowed = user_is_regional_staff(user)
            reason = "Сайт региона открыт сотрудникам регионального центра и специалистам ИМЦ."
        else:
            allowed = user_may_enter_school(user, school)
            reason = "Эта школа не входит в ваши рабочие места."
        if allowed:
            return None
        return render(request, "403.html", {"reason": reason, "places": user_workplaces(user)}, status=403)


def _archived_refusal(request: HttpRequest) -> HttpResponse:
    reason = "Школа в архиве: данные доступны только для чтения."
    if request.path_info.startswith("/api/"):
        return JsonResponse({"error": {"code": "school_archived", "message": reason}}, status=403)
    return render(request, "403.html", {"reason": reason, "places": []}, status=403)
