"""The bell's pages, the same on a school's host (its notifications) and on the region's (the region's)."""

from urllib.parse import urlencode

from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.notifications.calendar import calendar_ics, deadlines_for
from core.notifications.context_processors import notification_model
from tenants.context import request_school, request_user
from tenants.notifications.calendar_tokens import (
    calendar_token_exists,
    calendar_token_issue,
    calendar_token_user,
)
from tenants.notifications.engine import (
    notification_open,
    notifications_mark_read,
    notifications_of,
    preferences_of,
    preferences_set,
)
from tenants.notifications.kinds import KINDS, REGION, SCHOOL, Channel, kinds_for
from tenants.notifications.models import NotificationBase
from tenants.schema_names import school_host
from tenants.selectors import user_may_enter_school
from tenants.urls_util import site_url

PER_PAGE = 20


def _model(request: HttpRequest) -> type[NotificationBase]:
    model = notification_model(request)
    if model is None:
        raise Http404
    return model


def _site(request: HttpRequest) -> str:
    return SCHOOL if request_school(request) is not None else REGION


def _filters(data: dict[str, str]) -> tuple[str, bool]:
    kind = data.get("kind", "")
    return (kind if kind in KINDS else ""), data.get("unread") == "1"


@require_GET
def notifications_list(request: HttpRequest) -> HttpResponse:
    kind, unread = _filters(request.GET.dict())
    rows = notifications_of(_model(request), user_id=request_user(request).pk, kind=kind, unread=unread)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in (("kind", kind), ("unread", "1" if unread else "")) if v})
    return render(
        request,
        "notifications/list.html",
        {"page": page, "kinds": kinds_for(_site(request)), "kind": kind, "unread": unread, "query": query},
    )


@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    """Mark one, several (``id``) or all (``all``) of one's own notifications read; back to the same filters."""
    ids: list[int] | None = None
    if not request.POST.get("all"):
        raw = request.POST.getlist("id")
        if not raw or not all(value.isascii() and value.isdigit() and len(value) < 19 for value in raw):
            raise BadRequest("Не выбрано ни одного уведомления.")
        ids = [int(value) for value in raw]
    notifications_mark_read(_model(request), user_id=request_user(request).pk, ids=ids)
    kind, unread = _filters(request.POST.dict())
    query = urlencode({k: v for k, v in (("kind", kind), ("unread", "1" if unread else "")) if v})
    return redirect(f"/notifications/{'?' + query if query else ''}")


@require_GET
def notification_open_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A notification's link goes through here: that one is marked read, then its page opens. Only one's own
    on this site (another person's or another school's id is a 404), and only to a path of this site."""
    link = notification_open(_model(request), user_id=request_user(request).pk, pk=pk)
    if link is None:
        raise Http404("Такого уведомления нет.")
    if not link:
        raise BadRequest("У этого уведомления нет ссылки на страницу сайта.")
    return redirect(link)


@require_http_methods(["GET", "POST"])
def notification_preferences(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    kinds = kinds_for(_site(request))
    error, status, calendar_url = "", 200, ""
    if request.method == "POST":
        if request.POST.get("calendar_reset"):
            calendar_url = _feed_url(request, calendar_token_issue(user=user))
        else:
            choices = {k.code: request.POST.get(k.code, "") for k in kinds}
            if any(value not in Channel.values for value in choices.values()):
                error, status = "Для каждого вида выберите: сразу, в ежедневной сводке или не присылать.", 400
            else:
                preferences_set(user=user, choices=choices)
                return redirect("notification-preferences")
    chosen = preferences_of(user)
    return render(
        request,
        "notifications/preferences.html",
        {
            "rows": [(k, chosen[k.code]) for k in kinds],
            "channels": Channel.choices,
            "error": error,
            "calendar_url": calendar_url,
            "on_school": request_school(request) is not None,
            "calendar_exists": calendar_token_exists(user=user),
        },
        status=status,
    )


def _feed_url(request: HttpRequest, token: str) -> str:
    """On the host the feed is read from: a school's deadlines there, the region's rounds on the base host."""
    school = request_school(request)
    return site_url(school_host(school.slug) if school else None, f"/calendar/{token}.ics")


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """No session (calendar apps fetch it): the secret in the URL is the key, and a wrong one is a 404."""
    school = request_school(request)
    user = calendar_token_user(token)
    if school is None or user is None or not user_may_enter_school(user, school):
        raise Http404
    host = school_host(school.slug)
    body = calendar_ics(
        deadlines=deadlines_for(user=user, school=school), host=host, name=f"Наставник · {school.short_name}"
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response
