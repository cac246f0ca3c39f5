"""URLs present on every host: accounts, invitations."""

from django.urls import include, path

from tenants.views import invitation_accept_view

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("invite/<str:token>/", invitation_accept_view, name="invitation_accept"),
]

handler400 = "config.error_views.bad_request"
handler404 = "config.error_views.page_not_found"
handler403 = "config.error_views.permission_denied"
handler500 = "config.error_views.server_error"
