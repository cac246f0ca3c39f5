"""The region site's calendar feed: the due dates of the monitoring rounds a person may see.

The same secret URL scheme as a school's feed (``tenants.notifications.calendar_tokens``), read on the
region's host: an inspector gets the rounds of their municipality, the regional admin all of them.
"""

from datetime import timedelta

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.notifications.calendar import Deadline, calendar_ics
from regional.rounds import rounds_visible_to
from tenants.context import request_school
from tenants.notifications.calendar_tokens import calendar_token_user
from tenants.selectors import user_is_regional_staff

PAST, HORIZON = timedelta(days=60), timedelta(days=400)


@require_GET
def region_calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    user = calendar_token_user(token)
    if request_school(request) is not None or user is None or not user_is_regional_staff(user):
        raise Http404
    today = timezone.localdate()
    rounds = rounds_visible_to(user).filter(due_date__gte=today - PAST, due_date__lte=today + HORIZON)
    deadlines = [
        Deadline(f"round-{r.pk}", r.due_date, f"Срок раунда мониторинга «{r.title}»", f"/rounds/{r.pk}/")
        for r in rounds.order_by("due_date", "pk")
    ]
    body = calendar_ics(deadlines=deadlines, host=settings.BASE_DOMAIN, name="Наставник · мониторинг")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response
