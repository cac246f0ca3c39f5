from django.utils.translation import gettext_lazy as _

from tenants.notifications.models import NotificationBase, notification_indexes


class Notification(NotificationBase):
    """A notification of the school site; it may name the school's people, so it stays in the school's schema."""

    class Meta(NotificationBase.Meta):
        indexes = notification_indexes("notification")
        verbose_name = _("уведомление")
        verbose_name_plural = _("уведомления")
