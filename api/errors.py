"""One error format for the whole API:

    {"error": {"code": "not_found", "message": "Не найдено.", "fields": {"inn": ["…"]}}}

Django's ValidationError raised by services becomes a 400 with the same shape, so views stay thin.
"""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _django_validation_to_drf(error: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(error, "error_dict"):
        return exceptions.ValidationError(
            {field: [str(m) for m in msgs] for field, msgs in error.message_dict.items()}
        )
    return exceptions.ValidationError({"non_field_errors": error.messages})


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = _django_validation_to_drf(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        # The service's own reason («…может только куратор») reaches the client, not a generic refusal.
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    body: dict[str, Any] = {"code": "error", "message": ""}
    if isinstance(exc, exceptions.ValidationError):
        body["code"] = "invalid"
        body["message"] = "Проверьте введённые данные."
        detail = exc.detail
        body["fields"] = detail if isinstance(detail, dict) else {"non_field_errors": detail}
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        body["code"] = codes if isinstance(codes, str) else "error"
        body["message"] = (
            str(exc.detail) if not isinstance(exc.detail, (dict, list)) else str(exc.default_detail)
        )
    if response.status_code == status.HTTP_401_UNAUTHORIZED:
        body["message"] = body["message"] or "Требуется вход."
    response.data = {"error": body}
    return response


def form_errors(form: Any) -> exceptions.ValidationError:
    """A Django form's errors as the API's 400 (the form is the single place the rules live)."""
    return exceptions.ValidationError({field: [str(e) for e in errs] for field, errs in form.errors.items()})
