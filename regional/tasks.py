from typing import Any

from django.db import InterfaceError, OperationalError

from config.celery import RegionTask, app

# The snapshot jobs live beside the snapshot code; imported here so the worker registers them.
from regional.checklist.tasks import (  # noqa: F401
    snapshot_refresh_task,
    snapshots_rebuild_all_task,
    snapshots_refresh_batch_task,
    snapshots_repair_task,
)


class ReportTask(RegionTask):
    """A report job: redelivered if its worker dies (idempotent), failing the run with a reason at the end."""

    abstract = True
    acks_late = True
    reject_on_worker_lost = True
    autoretry_for = (OperationalError, InterfaceError)  # the database was away: try again shortly
    retry_backoff = 2
    max_retries = 3

    def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        from regional.reports import report_fail

        report_fail(run_id=args[0], reason=f"Фоновое задание завершилось с ошибкой: {type(exc).__name__}.")


@app.task(base=ReportTask, name="regional.report_batch", soft_time_limit=120, time_limit=150)
def report_batch_task(run_id: int, school_ids: list[int]) -> int:
    """A batch of schools of a report run; each school is computed in its own schema."""
    from regional.reports import report_batch

    return report_batch(run_id=run_id, school_ids=school_ids)


@app.task(base=ReportTask, name="regional.report_build", soft_time_limit=300, time_limit=330)
def report_build_task(run_id: int) -> str:
    from regional.models import ReportRun
    from regional.reports import report_build

    return report_build(run=ReportRun.objects.get(pk=run_id)).status
