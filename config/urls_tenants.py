"""A school's site (<slug>.<base host>, the school's schema)."""

from django.urls import include, path

from config.urls_common import handler403, handler404, handler500
from config.urls_common import urlpatterns as common
from core.views import school_home, school_invitation_resend, school_users

urlpatterns = [
    path("", school_home, name="home"),
    path("users/", school_users, name="school-users"),
    path("users/invitations/<int:pk>/resend/", school_invitation_resend, name="school-invitation-resend"),
    *common,
    path("api/v1/", include("api.urls_tenants")),
]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
