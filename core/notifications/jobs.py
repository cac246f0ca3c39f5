"""The daily reminder job, run in each school by the beat's fan-out (tenants.schools_run_task)."""

from django.utils import timezone

from config.celery import DurableSchoolTask, app
from core.notifications.models import Notification
from core.notifications.reminders import reminders_run
from tenants.notifications.engine import notifications_prune


@app.task(base=DurableSchoolTask, name="core.reminders_daily")
def reminders_daily_task() -> dict[str, int]:
    found = reminders_run(today=timezone.localdate())
    found["pruned"] = notifications_prune(Notification)
    return found
