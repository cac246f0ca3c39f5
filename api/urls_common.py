from django.urls import URLPattern, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from api.views import MeApi


def common_patterns(*, site_urlconf: str) -> list[URLPattern]:
    """Endpoints on every host; the OpenAPI schema describes the host's own urlconf."""
    return [
        path("me/", MeApi.as_view(), name="api-me"),
        path("schema/", SpectacularAPIView.as_view(urlconf=site_urlconf), name="api-schema"),
        path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    ]
