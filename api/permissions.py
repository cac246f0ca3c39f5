"""API permissions: the same rules as AccessMiddleware, in DRF's terms (token auth happens inside DRF)."""

from typing import Any

from django_tenants.utils import get_public_schema_name
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from tenants.selectors import user_is_regional_admin, user_is_regional_staff, user_may_enter_school


def _on_school_host(request: Request) -> bool:
    return request.tenant.schema_name != get_public_schema_name()  # type: ignore[attr-defined]


class IsSchoolMember(BasePermission):
    message = "Эта школа не входит в ваши рабочие места."

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(
            request.user
            and request.user.is_authenticated
            and _on_school_host(request)
            and user_may_enter_school(request.user, request.tenant)  # type: ignore[attr-defined]
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
