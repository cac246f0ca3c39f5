"""The schema the current database connection is set to (django-tenants adds these attributes)."""

from typing import TYPE_CHECKING, cast

from django.db import connection
from django.http import HttpRequest
from django_tenants.utils import get_public_schema_name

if TYPE_CHECKING:
    from tenants.models import School, User


def current_schema_name() -> str:
    return str(connection.schema_name)  # type: ignore[attr-defined]


def in_public_schema() -> bool:
    return current_schema_name() == get_public_schema_name()


def set_public_schema() -> None:
    connection.set_schema_to_public()  # type: ignore[attr-defined]


def request_school(request: HttpRequest) -> "School | None":
    """The school whose host this request came to, or None on the region site."""
    tenant = getattr(request, "tenant", None)
    from tenants.models import School

    return tenant if isinstance(tenant, School) else None


def request_user(request: HttpRequest) -> "User":
    """The signed-in user of a view that AccessMiddleware has let through (so never anonymous)."""
    from tenants.models import User

    return cast(User, request.user)


def school_of(request: HttpRequest) -> "School":
    """The school of a request routed by the school urlconf (which only school hosts get)."""
    school = request_school(request)
    if school is None:
        raise PermissionError("A school view was reached on the region site")
    return school
