"""The product's own Russian «Страница не найдена» in every mode (issue 14).

With DEBUG on (config/settings/local.py) Django answers a 404 with its English technical page, which
also lists the URL patterns; handler404 is only used with DEBUG off. This middleware puts the
product's page in place of the technical one, so development shows what users see. With DEBUG off it
does nothing: handler404 already renders the same page. It comes right after SchoolTenantMiddleware
(which must be first, and answers unknown hosts with the same page itself).
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound

from config.error_views import page_not_found


class ProductNotFoundMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Django's technical 404 is an HttpResponseNotFound; the product's page (render()) is a plain
        # HttpResponse with status 404, so it is never replaced twice.
        if settings.DEBUG and isinstance(response, HttpResponseNotFound):
            return page_not_found(request)
        return response
