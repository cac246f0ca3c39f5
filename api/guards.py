"""Request-level guards: input no view can store is refused before any view runs.

PostgreSQL text cannot hold the NUL character, so a ``%00`` in a query parameter, a form field or a JSON
string reached the database as an exception (a 500) on every search box and text field. One middleware
refuses it for the whole site with a 400 — an HTML page for pages, the API's error format for the API —
so no view has to remember it and nothing is half-written.

The same middleware is the last line for values the database refuses (PostgreSQL's «data exception»
class: text longer than its column, a number out of range, an impossible date): a 10,000-character
title that a view forgot to check was a 500; it is a 400 with a Russian message. The transaction the
write ran in is rolled back by the exception itself (services are atomic), so nothing is half-written;
the error is still logged, since each such case is a missing check to add where the value is read.
"""

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.db import DataError
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render

logger = logging.getLogger(__name__)

NUL = "\x00"
NUL_MESSAGE = "Запрос содержит недопустимый символ (NUL, «%00»). Уберите его и повторите."
DATA_ERROR_MESSAGE = (
    "Значение не помещается в поле: слишком длинный текст, слишком большое число или невозможная дата. "
    "Сократите или исправьте его и повторите."
)
JSON_TYPES = ("application/json", "application/vnd.api+json")


def bad_request(request: HttpRequest, message: str, *, code: str = "invalid") -> HttpResponse:
    """A 400 in the site's shape: the API's JSON error format under /api/, the Russian page elsewhere."""
    if request.path_info.startswith("/api/"):
        return JsonResponse(
            {"error": {"code": code, "message": message}},
            status=400,
            json_dumps_params={"ensure_ascii": False},
        )
    return render(request, "400.html", {"reason": message}, status=400)


def _strings(value: Any) -> Iterable[str]:
    """Every string in a parsed JSON document, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _json_has_nul(request: HttpRequest) -> bool:
    try:
        document = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return False  # not JSON at all: the API's parser answers that with its own 400
    return any(NUL in text for text in _strings(document))


def request_has_nul(request: HttpRequest) -> bool:
    if NUL in request.path_info:
        return True
    if _has_nul(request.GET):
        return True
    content_type = request.content_type or ""
    if content_type.startswith(JSON_TYPES):
        return _json_has_nul(request)
    if request.method == "POST" and content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        # Reading POST here is what CsrfViewMiddleware does anyway; uploaded files are not inspected.
        return _has_nul(request.POST)
    if content_type == "application/x-www-form-urlencoded":  # PUT/PATCH forms, parsed by the API itself
        return _has_nul(QueryDict(request.body))
    return False


def _has_nul(data: QueryDict) -> bool:
    return any(NUL in key or any(NUL in v for v in values) for key, values in data.lists())


class InputGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            refused = request_has_nul(request)
        except MultiPartParserError:
            return bad_request(request, "Не удалось разобрать отправленную форму.")
        except RecursionError:  # «[[[[…» thousands deep: json itself gives up (the API's parser would 500)
            return bad_request(request, "Слишком глубокая вложенность JSON.", code="parse_error")
        if refused:
            return bad_request(request, NUL_MESSAGE, code="nul_character")
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DataError):
            logger.warning(
                "database refused a value on %s %s", request.method, request.path, exc_info=exception
            )
            return bad_request(request, DATA_ERROR_MESSAGE, code="value_out_of_range")
        return None
