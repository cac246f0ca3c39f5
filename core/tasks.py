"""Celery's autodiscovery looks here; the tasks live beside their subdomains."""

from core.notifications.jobs import reminders_daily_task
from core.notifications.tasks import notifications_digest_task, notifications_send_task
from core.pairs.tasks import consents_enforce_daily

__all__ = [
    "consents_enforce_daily",
    "notifications_digest_task",
    "notifications_send_task",
    "reminders_daily_task",
]
