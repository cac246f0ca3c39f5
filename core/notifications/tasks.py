"""E-mail of a school's notifications: one event at once, or the daily digest. Both idempotent."""

from config.celery import DurableSchoolTask, app
from core.notifications.models import Notification
from core.notifications.recipients import current_school
from tenants.notifications.engine import MAIL_AWAY, digest_send, notifications_deliver, site_audience
from tenants.schema_names import school_host


# Retried while the mail server (or the database) is away or another session holds a row; what was sent is
# marked, so a retry sends the rest.
@app.task(base=DurableSchoolTask, name="core.notifications_send", autoretry_for=MAIL_AWAY)
def notifications_send_task(key: str) -> int:
    school = current_school()
    return notifications_deliver(
        Notification, key=key, host=school_host(school.slug), site_title=school.short_name,
        audience=site_audience(school),
    )  # fmt: skip


@app.task(base=DurableSchoolTask, name="core.notifications_digest", autoretry_for=MAIL_AWAY)
def notifications_digest_task() -> int:
    """Run in each school by the beat's fan-out (tenants.schools_run_task)."""
    school = current_school()
    return digest_send(
        Notification,
        host=school_host(school.slug),
        site_title=school.short_name,
        audience=site_audience(school),
    )
