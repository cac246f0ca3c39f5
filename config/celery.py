"""Celery, tenant-aware: a task sent while a school's schema is active runs in that schema.

tenant-schemas-celery puts the current schema into each message's headers and switches the worker's
connection to it before the task runs. School tasks (``SchoolTask``) refuse to run in public.
"""

import logging
import os
from datetime import time
from pathlib import Path
from typing import Any

from celery.schedules import crontab
from celery.signals import task_prerun
from django.db import InterfaceError, OperationalError
from kombu import Exchange, Queue
from tenant_schemas_celery.app import CeleryApp, get_schema_name_from_task
from tenant_schemas_celery.task import TenantTask

from config import broker

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
broker.install()  # filesystem:// → a transport that survives broken message files (config/broker.py)
logger = logging.getLogger(__name__)

# Transient database trouble: the job is retried with backoff, never consumed and dropped.
DATABASE_AWAY = (OperationalError, InterfaceError)


class SchoolTaskInPublicError(RuntimeError):
    """A school task reached the worker without a school schema: it must not touch public data."""


class SchoolTask(TenantTask):
    """Base for every task that reads or writes a school's data. Fails closed in public."""

    abstract = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from django.db import connection

        from tenants.context import in_public_schema

        if in_public_schema():
            schema = get_schema_name_from_task(self, kwargs)
            if schema and schema != "public" and self.request.id is not None:
                # The message names a school but tenant-schemas-celery could not switch (its prerun errors
                # are only logged): the database was away. Switch here, so the error can be retried.
                try:
                    connection.set_tenant(  # type: ignore[attr-defined]
                        self.get_tenant_for_schema(schema_name=schema), include_public=True
                    )
                except DATABASE_AWAY as error:
                    raise self.retry(exc=error, countdown=_backoff(self.request.retries)) from error
            if in_public_schema():
                raise SchoolTaskInPublicError(
                    f"{self.name} is a school task and refuses to run in the public schema"
                )
        return super().__call__(*args, **kwargs)


class RegionTaskInSchoolError(RuntimeError):
    """A region task reached the worker inside a school's schema."""


class RegionTask(TenantTask):
    """Base for tasks over the region's own data (onboarding, snapshots, reports). Runs in public only."""

    abstract = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from tenants.context import in_public_schema

        if not in_public_schema():
            raise RegionTaskInSchoolError(f"{self.name} is a region task and runs in the public schema only")
        return super().__call__(*args, **kwargs)


def _backoff(retries: int) -> int:
    return min(300, 2 ** (retries + 1))


class _Durable:
    """For idempotent jobs: acknowledged after they finish (a killed worker's job is delivered again),
    retried with backoff while the database is away (15 tries, 2 s doubling to 5 min: at most ~44 min), bounded in time."""

    acks_late = True
    reject_on_worker_lost = True
    autoretry_for = DATABASE_AWAY
    retry_backoff = 2
    retry_backoff_max = 300
    retry_jitter = True
    max_retries = 15
    soft_time_limit = 300
    time_limit = 360


class DurableSchoolTask(_Durable, SchoolTask):
    abstract = True


class DurableRegionTask(_Durable, RegionTask):
    abstract = True


# Queues: change-driven snapshot refreshes have a consumer of their own, so a change reaches the region
# in about a second however much bulk work (report batches, nightly passes) is queued; provisioning is
# apart from bulk work too. A worker started without -Q consumes them all (tests, small installs).
QUEUE_DEFAULT, QUEUE_FAST, QUEUE_PROVISION, QUEUE_BULK = "celery", "snapshots", "provision", "bulk"
QUEUES = (QUEUE_DEFAULT, QUEUE_FAST, QUEUE_PROVISION, QUEUE_BULK)

# The nightly calendar pass (regional.snapshots_rebuild_all), local time. The repair pass reads it too: a
# school the night's pass missed (its batch lost with a killed worker) is refreshed from an hour after it.
NIGHTLY_PASS_AT = time(2, 30)

app = CeleryApp("nastavnik")
app.config_from_object("django.conf:settings", namespace="CELERY")


@app.on_after_configure.connect
def _configure_filesystem_broker(sender: CeleryApp, **kwargs: Any) -> None:
    if str(sender.conf.broker_url).startswith("redis"):
        # A job whose worker died is redelivered (acks_late) after this long: longer than any time limit.
        sender.conf.broker_transport_options = {"visibility_timeout": 3600}
    if not str(sender.conf.broker_url).startswith("filesystem://"):
        return
    from django.conf import settings

    sender.conf.broker_transport_options = filesystem_broker_options(settings.CELERY_FILESYSTEM_BROKER_DIR)


def filesystem_broker_options(folder: Path) -> dict[str, Any]:
    """The filesystem broker (`make run`, no server) in ``folder``; the folders are created."""
    for sub in ("queue", "processed", "control"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "processed_folder": str(folder / "processed"),
        "store_processed": False,
        # kombu keeps its exchange tables here; its default is ``control/`` in the working directory.
        "control_folder": str(folder / "control"),
        # kombu polls the folder once a second by default: a tenth keeps a change → region under 2 s.
        "polling_interval": 0.1,
    }


app.conf.update(
    task_queues=[Queue(name, Exchange(name, type="direct"), routing_key=name) for name in QUEUES],
    task_default_queue=QUEUE_DEFAULT,
    task_routes={
        "regional.snapshot_refresh": {"queue": QUEUE_FAST},
        "tenants.school_provision": {"queue": QUEUE_PROVISION},
        "regional.report_*": {"queue": QUEUE_BULK},
        "regional.snapshots_refresh_batch": {"queue": QUEUE_BULK},
        "tenants.school_task_batch": {"queue": QUEUE_BULK},
    },
    # One message at a time per process: a long job never sits on prefetched short ones.
    worker_prefetch_multiplier=1,
    task_soft_time_limit=600,
    task_time_limit=660,
    # Periodic work: static, in code; every entry is a public dispatcher that fans out in batches.
    beat_schedule={
        "snapshots-repair": {"task": "regional.snapshots_repair", "schedule": 300.0},
        "snapshots-calendar": {
            "task": "regional.snapshots_rebuild_all",
            "schedule": crontab(hour=NIGHTLY_PASS_AT.hour, minute=NIGHTLY_PASS_AT.minute),
        },
        "consents-enforce-daily": {
            "task": "tenants.schools_run_task",
            "schedule": crontab(hour=1, minute=15),
            "args": ["core.consents_enforce_daily"],
        },
        # Notifications (README «Уведомления»): reminders in each school, then the digests of both sites.
        "reminders-daily": {
            "task": "tenants.schools_run_task",
            "schedule": crontab(hour=6, minute=0),
            "args": ["core.reminders_daily"],
        },
        "rounds-remind-daily": {"task": "regional.rounds_remind", "schedule": crontab(hour=6, minute=5)},
        "notifications-digest-schools": {
            "task": "tenants.schools_run_task",
            "schedule": crontab(hour=7, minute=0),
            "args": ["core.notifications_digest"],
        },
        "notifications-digest-region": {
            "task": "tenants.region_notifications_digest",
            "schedule": crontab(hour=7, minute=0),
        },
        "sweep": {"task": "tenants.sweep", "schedule": 120.0},
        # One per worker, by the queue it consumes (tenants.heartbeats.WATCHED_QUEUES). Expires unrun after a
        # minute: a backlog of stale heartbeats must not look like a live worker.
        "heartbeat": {"task": "tenants.heartbeat", "schedule": 30.0, "options": {"expires": 60}},
        "heartbeat-snapshots": {
            "task": "tenants.heartbeat",
            "schedule": 30.0,
            "args": [QUEUE_FAST],
            "options": {"expires": 60, "queue": QUEUE_FAST},
        },
    },
    # Beat records its own heartbeat as it ticks (config/beat.py).
    beat_scheduler="config.beat:HeartbeatScheduler",
)


@task_prerun.connect(weak=False)
def _tag_sentry_with_schema(**kwargs: Any) -> None:
    # Runs after tenant-schemas-celery has switched the connection (its receiver is connected first).
    import sentry_sdk

    from tenants.context import current_schema_name

    sentry_sdk.set_tag("schema", current_schema_name())


app.autodiscover_tasks()


def send_to_school(task: Any, schema_name: str, *args: Any, **kwargs: Any) -> Any:
    """Queue ``task`` for one school from anywhere (e.g. a public-schema dispatcher)."""
    return task.apply_async(args=args, kwargs=kwargs, headers={"_schema_name": schema_name})


FAN_OUT_BATCH = 100


def fan_out_batches(task: Any, schools: Any, *args: Any, batch: int = FAN_OUT_BATCH, **kwargs: Any) -> int:
    """Send ``task(<school ids>, *args, **kwargs)`` in public, one message per ``batch`` schools.

    Schools whose schema does not exist (yet) are skipped and reported in the log; the count sent is
    returned. ``task`` is a region task that loops ``schema_context`` over its ids.
    """
    from tenants.provisioning import schools_split_by_schema

    with_schema, without = schools_split_by_schema(schools)
    if without:
        logger.warning("%s: skipped schools without a schema: %s", task.name, ", ".join(without))
    ids = [pk for pk, _ in with_schema]
    for start in range(0, len(ids), batch):
        task.apply_async(
            args=[ids[start : start + batch], *args], kwargs=kwargs, headers={"_schema_name": "public"}
        )
    return len(ids)
