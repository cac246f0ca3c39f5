"""The product's own Russian «Страница не найдена» and «Неверный запрос» in every mode (issue 14).

With DEBUG on (config/settings/local.py) Django answers a 404 with its English technical page, which
also lists the URL patterns, and a BadRequest raised by a view (an impossible ``?on=`` date …) with its
English technical 500 page under status 400 (traceback, settings), the Russian message lost in it;
handler404/handler400 are only used with DEBUG off. This middleware puts the product's pages in place of
the technical ones, so development shows what users see. With DEBUG off it does nothing: the handlers
already render the same pages. Real errors (500) keep Django's debug page, and so do the other
SuspiciousOperations (DisallowedHost …): their messages are for the developer, not the user.
It comes right after SchoolTenantMiddleware (which must be first, and answers unknown hosts with the
same 404 page itself).
"""

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.utils.log import log_response

from config.error_views import bad_request, page_not_found


class ProductErrorPagesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Django's technical 404 is an HttpResponseNotFound; the product's page (render()) is a plain
        # HttpResponse with status 404, so it is never replaced twice.
        if settings.DEBUG and isinstance(response, HttpResponseNotFound):
            return page_not_found(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        # Called for an exception from a view (or its template response) before Django's own handling,
        # which with DEBUG on would render the technical page: the same page as handler400 instead.
        if not (settings.DEBUG and isinstance(exception, BadRequest)):
            return None
        response = bad_request(request, exception)
        log_response(  # as Django logs it with DEBUG off
            "%s: %s", str(exception), request.path, response=response, request=request, exception=exception
        )
        return response
