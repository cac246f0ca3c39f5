"""A school's site (<slug>.<base host>, the school's schema)."""

from django.urls import include, path

from config.urls_common import handler403, handler404, handler500
from config.urls_common import urlpatterns as common
from core.views import school_home

urlpatterns = [
    path("", school_home, name="home"),
    *common,
    path("api/v1/", include("api.urls_tenants")),
]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
