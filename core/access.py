"""Who may do what inside a school. Pages and API use these; school membership itself is checked earlier
(AccessMiddleware / IsSchoolMember)."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from tenants.context import request_school
from tenants.models import SCHOOL_STAFF_ROLES, School
from tenants.selectors import AnyUser, user_school_roles


def user_is_school_staff(user: AnyUser, school: School | None) -> bool:
    """The school's admin or curator: they keep the people bank, consents, acts and roadmap."""
    return school is not None and bool(user_school_roles(user, school) & SCHOOL_STAFF_ROLES)


def school_staff_required[R: HttpResponseBase](view: Callable[..., R]) -> Callable[..., R]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> R:
        if not user_is_school_staff(request.user, request_school(request)):
            raise PermissionDenied("Раздел доступен администратору школы и куратору.")
        return view(request, *args, **kwargs)

    return wrapper


class IsSchoolStaff(BasePermission):
    message = "Доступно администратору школы и куратору."

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(
            request.user
            and request.user.is_authenticated
            and user_is_school_staff(request.user, request_school(request))
        )
