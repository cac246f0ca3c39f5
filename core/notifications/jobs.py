"""The daily reminder job, run in each school by the beat's fan-out (tenants.schools_run_task)."""

from django.utils import timezone

from config.celery import DurableSchoolTask, app
from core.notifications.reminders import reminders_run


@app.task(base=DurableSchoolTask, name="core.reminders_daily")
def reminders_daily_task() -> dict[str, int]:
    return reminders_run(today=timezone.localdate())
