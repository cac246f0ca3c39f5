from django.conf import settings

from config.celery import DurableRegionTask, app
from tenants.models import RegionSettings
from tenants.notifications.engine import (
    MAIL_AWAY,
    digest_send,
    notifications_deliver,
    notifications_prune,
    site_audience,
)
from tenants.notifications.models import RegionNotification


def _site_title() -> str:
    region = RegionSettings.objects.first()
    return region.centre_name or region.name if region else "Региональный центр наставничества"


@app.task(base=DurableRegionTask, name="tenants.region_notifications_send", autoretry_for=MAIL_AWAY)
def region_notifications_send_task(key: str) -> int:
    """E-mail one event's region notifications to those who want them at once. Idempotent."""
    return notifications_deliver(
        RegionNotification, key=key, host=settings.BASE_DOMAIN, site_title=_site_title(),
        audience=site_audience(None),
    )  # fmt: skip


@app.task(base=DurableRegionTask, name="tenants.region_notifications_digest", autoretry_for=MAIL_AWAY)
def region_notifications_digest_task() -> int:
    """The region site's daily digest (beat). Idempotent: what was e-mailed is marked under a row lock.
    Then the region's read notifications older than half a year are deleted."""
    letters = digest_send(
        RegionNotification, host=settings.BASE_DOMAIN, site_title=_site_title(), audience=site_audience(None)
    )
    notifications_prune(RegionNotification)
    return letters
