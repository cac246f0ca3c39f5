"""Error pages in Russian; API paths get the API's JSON error format instead of HTML."""

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import get_template


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # Views raise BadRequest with a message written for the user (e.g. an impossible ?on= date);
    # other SuspiciousOperations keep a generic text: their messages are for the log, not the user.
    message = str(exception) if isinstance(exception, BadRequest) and str(exception) else ""
    message = message or "Запрос не удалось обработать: проверьте введённые данные и адрес."
    if _is_api(request):
        return JsonResponse({"error": {"code": "bad_request", "message": message}}, status=400)
    if not hasattr(request, "user"):
        # Refused before the middleware ran (e.g. a forged Host header): the site's page needs a user.
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    return render(request, "400.html", {"reason": message}, status=400)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"error": {"code": "not_found", "message": "Не найдено."}}, status=404)
    return render(request, "404.html", status=404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"error": {"code": "permission_denied", "message": "Нет доступа."}}, status=403)
    return render(request, "403.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this inside its except block: a database that went away (e.g. while the session was
    # saved, past the middleware's own checks) is a 503 to retry, not a 500.
    import sys

    from config.unavailable import database_is_unavailable, database_unavailable_response

    exc = sys.exc_info()[1]
    if exc is not None and database_is_unavailable(exc):
        return database_unavailable_response(request, exc)
    if _is_api(request):
        return JsonResponse({"error": {"code": "server_error", "message": "Внутренняя ошибка."}}, status=500)
    return HttpResponse(get_template("500.html").render(), status=500)
