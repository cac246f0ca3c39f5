from django.urls import URLPattern, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from api.notifications import NotificationListApi, NotificationPreferencesApi, NotificationReadApi
from api.views import MeApi


def common_patterns(*, site_urlconf: str) -> list[URLPattern]:
    """Endpoints on every host; the OpenAPI schema describes the host's own urlconf."""
    return [
        path("me/", MeApi.as_view(), name="api-me"),
        path("notifications/", NotificationListApi.as_view(), name="api-notifications"),
        path("notifications/read/", NotificationReadApi.as_view(), name="api-notifications-read"),
        path(
            "notifications/preferences/",
            NotificationPreferencesApi.as_view(),
            name="api-notification-preferences",
        ),
        path("schema/", SpectacularAPIView.as_view(urlconf=site_urlconf), name="api-schema"),
        path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    ]
