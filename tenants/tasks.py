"""Onboarding jobs, the sweeper, and the tenant-aware fan-out of school tasks for the beat schedule."""

import logging
from typing import Any

from django_tenants.utils import schema_context

from config.celery import DurableRegionTask, app, fan_out_batches
from tenants.models import School
from tenants.notifications.tasks import (  # noqa: F401  (registered with the worker)
    region_notifications_digest_task,
    region_notifications_send_task,
)
from tenants.onboarding import school_provision
from tenants.sweeper import sweep_all

logger = logging.getLogger(__name__)


@app.task(base=DurableRegionTask, name="tenants.school_provision", soft_time_limit=240, time_limit=300)
def school_provision_task(school_id: int) -> str:
    """Idempotent (a redelivery or a resumed job finishes what was left); the sweeper watches its heartbeat."""
    return school_provision(school_id=school_id).status


@app.task(base=DurableRegionTask, name="tenants.sweep", soft_time_limit=100, time_limit=120)
def sweep_task() -> dict:
    return sweep_all()


@app.task(base=DurableRegionTask, name="tenants.schools_run_task")
def schools_run_task(task_name: str) -> int:
    """Public dispatcher for a periodic school task: the active schools with a schema, 100 per message."""
    if task_name not in app.tasks:
        app.loader.import_default_modules()  # outside a worker, autodiscovery has not run yet
    if task_name not in app.tasks:
        logger.warning("Periodic school task %s is not installed; nothing sent", task_name)
        return 0
    return fan_out_batches(school_task_batch, School.objects.filter(status=School.Status.ACTIVE), task_name)


@app.task(base=DurableRegionTask, name="tenants.school_task_batch", soft_time_limit=600, time_limit=660)
def school_task_batch(school_ids: list[int], task_name: str) -> dict[str, int]:
    """Runs a school task in each school's schema in turn; one school's failure does not stop the batch.

    A school whose run failed gets the task again as a message of its own in its schema, so the task's
    own retry policy applies (e.g. the digest retried with backoff while the mail server is away) instead
    of the school waiting for the next day. Periodic school tasks are idempotent, so a rerun is safe.
    """
    task = app.tasks[task_name]
    done = failed = 0
    for school in School.objects.filter(pk__in=school_ids):
        try:
            with schema_context(school.schema_name):
                task()
            done += 1
        except Exception:
            logger.exception("%s failed in school %s; handed over to its own message", task_name, school.pk)
            failed += 1
            try:
                task.apply_async(headers={"_schema_name": school.schema_name})
            except Exception:  # the broker is away too: the next periodic run covers the school
                logger.exception("Could not queue %s for school %s", task_name, school.pk)
    return {"done": done, "failed": failed}


@app.task(base=DurableRegionTask, name="tenants.heartbeat", bind=True, soft_time_limit=20, time_limit=30)
def heartbeat_task(self: Any, queue: str = "celery") -> str:
    """Sent by beat every 30 s to each watched queue: the sign of life of the worker consuming it (/readyz).

    Recorded under the queue the message really came from (a worker consuming every queue answers for
    each); ``queue`` is what beat addressed, used when the task runs outside a worker.
    """
    from tenants.heartbeats import heartbeat_record, worker_heartbeat_name

    delivered = (self.request.delivery_info or {}).get("routing_key") or queue
    heartbeat_record(worker_heartbeat_name(delivered))
    return str(delivered)
