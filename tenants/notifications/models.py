from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tenants.notifications.kinds import KIND_CHOICES, Channel, kind_label


def notification_indexes(prefix: str) -> list[models.Index]:
    """The bell counts one person's unread (a partial index stays small as read ones pile up); the list
    pages through one person's newest."""
    return [
        models.Index(fields=["recipient_id"], condition=Q(read_at__isnull=True), name=f"{prefix}_unread"),
        models.Index(fields=["recipient_id", "-created_at"], name=f"{prefix}_list"),
    ]


class NotificationBase(models.Model):
    """One notification to one person. ``link`` is a path: the host is added when it is shown or sent, from
    the site it belongs to (the school's host or the region's), so a link never points at the wrong site.

    ``key`` names the event (``task_due:17:2026-12-09``): unique with the recipient, so whatever runs an
    event twice creates nothing the second time.
    """

    recipient_id = models.BigIntegerField()  # a public-schema user id: no FK across schemas
    kind = models.CharField(_("вид"), max_length=40, choices=KIND_CHOICES)
    title = models.CharField(_("заголовок"), max_length=300)
    body = models.TextField(_("текст"), blank=True)
    link = models.CharField(_("ссылка"), max_length=500, blank=True)
    key = models.CharField(max_length=200)
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)
    read_at = models.DateTimeField(_("прочитано"), null=True, blank=True)
    # Set under the row's lock when the e-mail (immediate or in the digest) has gone: never sent twice.
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["key", "recipient_id"], name="%(app_label)s_%(class)s_once"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)


class RegionNotification(NotificationBase):
    """A notification of the region site (inspectors, regional admins)."""

    class Meta(NotificationBase.Meta):
        indexes = notification_indexes("region_notif")
        verbose_name = _("уведомление региона")
        verbose_name_plural = _("уведомления региона")


class NotificationPreference(models.Model):
    """A person's choice for one kind: e-mail at once, in the daily digest, or not at all (the bell stays)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40, choices=KIND_CHOICES)
    channel = models.CharField(max_length=20, choices=Channel.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.channel}"


class CalendarToken(models.Model):
    """The secret of a person's calendar feed URL; only its hash is kept, so a database leak opens no feed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    secret_sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"calendar token of {self.user_id}"
