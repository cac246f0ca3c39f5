"""What users get when the service cannot serve them, instead of a 500 or a traceback.

- The database is unreachable (server down, connection refused or killed): 503 with ``Retry-After``, a
  Russian page, JSON under ``/api/``. Nothing here touches the database, so the answer itself cannot fail.
  Django reconnects on the next request on its own (``CONN_HEALTH_CHECKS``), so recovery needs nobody.
- A school's row exists but its schema does not (lost in a restore, dropped by hand): 503 «Школа
  недоступна» — the fault is ours, not the visitor's, so not a 404 — while the region and other schools
  keep working. Both are logged at ERROR, so Sentry hears of them.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import get_template

RETRY_AFTER_SECONDS = 30
SERVICE_MESSAGE = "Сервис временно недоступен. Повторите попытку через минуту."
SCHOOL_MESSAGE = "Школа недоступна: её данные сейчас не открываются. Региональный центр уже знает об этом."

logger = logging.getLogger("nastavnik.unavailable")


def database_is_unavailable(exc: BaseException | None) -> bool:
    # OperationalError also covers a server shutting down or a cancelled statement: all transient.
    return isinstance(exc, OperationalError | InterfaceError)


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def database_unavailable_response(request: HttpRequest, exc: BaseException) -> HttpResponse:
    logger.error("Database unavailable (%s %s): %s", request.method, request.path_info, exc)
    response: HttpResponse
    if _is_api(request):
        response = JsonResponse(
            {"error": {"code": "service_unavailable", "message": SERVICE_MESSAGE}}, status=503
        )
    else:
        # Rendered without the request: context processors would query the database that is down.
        response = HttpResponse(get_template("503.html").render({"message": SERVICE_MESSAGE}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def school_unavailable_response(request: HttpRequest, school: object) -> HttpResponse:
    logger.error(
        "School schema missing: %s (host %s)", getattr(school, "schema_name", "?"), request.get_host()
    )
    if _is_api(request):
        return JsonResponse({"error": {"code": "school_unavailable", "message": SCHOOL_MESSAGE}}, status=503)
    return render(
        request, "school_unavailable.html", {"school": school, "message": SCHOOL_MESSAGE}, status=503
    )
