"""The region site (base host, public schema)."""

from django.contrib import admin
from django.urls import include, path

from config import health
from config.urls_common import handler400, handler403, handler404, handler500
from config.urls_common import urlpatterns as common
from core.notifications.urls import urlpatterns as notification_urls
from regional.calendar import region_calendar_feed

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("", include("regional.urls")),
    *notification_urls,
    path("calendar/<str:token>.ics", region_calendar_feed, name="calendar-feed"),
    *common,
    path("api/v1/", include("api.urls_public")),
    path("admin/", admin.site.urls),
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
