from collections.abc import Callable
from functools import cache
from typing import Any

from django.http import HttpRequest

from core.notifications.models import Notification
from tenants.context import request_school
from tenants.notifications.engine import unread_count
from tenants.notifications.models import NotificationBase, RegionNotification


def notification_model(request: HttpRequest) -> type[NotificationBase] | None:
    """The school's notifications on its host, the region's on the base host; None before routing."""
    if getattr(request, "tenant", None) is None:
        return None  # a school not ready yet, an unknown host: no notifications to show
    return Notification if request_school(request) is not None else RegionNotification


def bell(request: HttpRequest) -> dict[str, Any]:
    """The unread count for the bell in the menu: one indexed COUNT, and only if a page shows it."""
    model = notification_model(request)
    user = getattr(request, "user", None)
    if model is None or user is None or not user.is_authenticated:
        return {}
    count: Callable[[], int] = cache(lambda: unread_count(model, user_id=user.pk))
    return {"bell": {"count": count}}
