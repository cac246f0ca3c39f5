from typing import Any

from config.celery import DurableRegionTask, app

# The snapshot jobs live beside the snapshot code; imported here so the worker registers them.
from regional.checklist.tasks import (  # noqa: F401
    snapshot_refresh_task,
    snapshots_rebuild_all_task,
    snapshots_refresh_batch_task,
    snapshots_repair_task,
)

# Imported here, in the worker's parent process before it forks, so every pool process starts with the
# report code (openpyxl included) loaded and the export's first batch pays no import; it also registers
# report_runs_sweep with the periodic sweeper.
from regional.reports import report_batch, report_build, report_fail


class ReportTask(DurableRegionTask):
    """A report job (idempotent): redelivered if its worker dies, retried while the database is away, and
    failing its run with a reason when it fails for good (the user sees «ошибка» and «Повторить»)."""

    abstract = True

    def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        report_fail(run_id=args[0], reason=f"Фоновое задание завершилось с ошибкой: {type(exc).__name__}.")


@app.task(base=ReportTask, name="regional.report_batch", soft_time_limit=120, time_limit=150)
def report_batch_task(run_id: int, school_ids: list[int]) -> int:
    """A batch of schools of a report run; each school is computed in its own schema."""
    return report_batch(run_id=run_id, school_ids=school_ids)


@app.task(base=ReportTask, name="regional.report_build", soft_time_limit=300, time_limit=330)
def report_build_task(run_id: int) -> str:
    from regional.models import ReportRun

    return report_build(run=ReportRun.objects.get(pk=run_id)).status
