"""Celery, tenant-aware: a task sent while a school's schema is active runs in that schema.

tenant-schemas-celery puts the current schema into each message's headers and switches the worker's
connection to it before the task runs. School tasks (``SchoolTask``) refuse to run in public.
"""

import os
from typing import Any

from celery.signals import task_prerun
from tenant_schemas_celery.app import CeleryApp
from tenant_schemas_celery.task import TenantTask

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")


class SchoolTaskInPublicError(RuntimeError):
    """A school task reached the worker without a school schema: it must not touch public data."""


class SchoolTask(TenantTask):
    """Base for every task that reads or writes a school's data. Fails closed in public."""

    abstract = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from tenants.context import in_public_schema

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


app = CeleryApp("nastavnik")
app.config_from_object("django.conf:settings", namespace="CELERY")


@app.on_after_configure.connect
def _configure_filesystem_broker(sender: CeleryApp, **kwargs: Any) -> None:
    if not str(sender.conf.broker_url).startswith("filesystem://"):
        return
    from django.conf import settings

    folder = settings.CELERY_FILESYSTEM_BROKER_DIR
    for sub in ("queue", "processed"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    sender.conf.broker_transport_options = {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "processed_folder": str(folder / "processed"),
        "store_processed": False,
        # kombu keeps its exchange tables here; its default is ``control/`` in the working directory.
        "control_folder": str(folder / "control"),
    }


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
