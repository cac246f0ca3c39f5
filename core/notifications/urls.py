"""On both hosts (config.urls_public and config.urls_tenants): the bell's pages and the calendar feed."""

from django.urls import path

from core.notifications import views

urlpatterns = [
    path("notifications/", views.notifications_list, name="notifications"),
    path("notifications/<int:pk>/open/", views.notification_open_view, name="notification-open"),
    path("notifications/read/", views.notifications_read, name="notifications-read"),
    path("notifications/preferences/", views.notification_preferences, name="notification-preferences"),
]
calendar_urlpatterns = [
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
]
