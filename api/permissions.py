"""API permissions: the same rules as AccessMiddleware, in DRF's terms (token auth happens inside DRF)."""

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from tenants.context import request_school
from tenants.selectors import user_is_regional_admin, user_is_regional_staff, user_may_enter_school


def _on_school_host(request: Request) -> bool:
    return request_school(request) is not None


class IsSchoolMember(BasePermission):
    message = "Эта школа не входит в ваши рабочие места."

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(
            request.user
            and request.user.is_authenticated
            and (school := request_school(request)) is not None
            and user_may_enter_school(request.user, school)
        )


class IsRegionalStaff(BasePermission):
    message = "Доступно сотрудникам регионального центра и ИМЦ."

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(
            request.user
            and request.user.is_authenticated
            and not _on_school_host(request)
            and user_is_regional_staff(request.user)
        )


class IsRegionalAdmin(BasePermission):
    message = "Доступно администратору региона."

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(
            request.user
            and request.user.is_authenticated
            and not _on_school_host(request)
            and user_is_regional_admin(request.user)
        )


class RegionalStaffReadsAdminWrites(BasePermission):
    """Regional staff (admin and inspectors) read; only the regional admin changes anything."""

    message = "Изменять может только администратор региона."

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return IsRegionalStaff().has_permission(request, view)
        return IsRegionalAdmin().has_permission(request, view)
