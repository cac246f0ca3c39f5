"""Federal reporting: jobs over batches of schools compute each school's figures for a date, the last
one builds the XLSX (regional.report_files).

The school → region rule holds: each school's figures are computed in its own schema by the school side's
published interface (core.facts.indicators) and written as a ReportRow; the file is built from those rows
only, so a stored run is reproducible whatever happens in the schools afterwards.
"""

import logging
from datetime import date, datetime, timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from core.facts.indicators import schools_report_values
from regional.checklist.history import schools_active_on, snapshots_on
from regional.checklist.snapshots import early_end_codes, figures_current
from regional.models import ReportRow, ReportRun, SchoolSnapshot
from regional.notifications import export_notify
from regional.report_files import report_xlsx
from tenants.models import School, User
from tenants.sweeper import sweep_register

logger = logging.getLogger(__name__)

BATCH_SIZE = 100  # schools per job at most: few messages (and broker hops), each well inside its time limit
WORKER_PROCESSES = 2  # the bulk worker's concurrency (make run, deploy units): batches come in multiples
STALL = timedelta(minutes=5)  # a running export with no stored row for this long is resumed or failed
MAX_ATTEMPTS = 3  # resumptions by the sweeper before the run is marked failed


def report_start(*, on: date, actor: User | None) -> ReportRun:
    """Fix the schools the run covers and queue their batches once the run is committed."""
    # The schools not archived on that day: a school archived since is still in a past report, one
    # archived before it is not.
    day = None if on >= timezone.localdate() else on
    schools = list(
        schools_active_on(day, onboarded_by_then=False).order_by("pk").values_list("pk", flat=True)
    )
    run = ReportRun.objects.create(
        on=on, created_by=actor, school_ids=schools, total=len(schools), progressed_at=timezone.now()
    )
    transaction.on_commit(lambda: report_resume(run))
    return run


def report_missing(run: ReportRun) -> list[int]:
    """The run's schools that have no row yet, in a stable order."""
    done = set(ReportRow.objects.filter(run=run).values_list("school_id", flat=True))
    return [pk for pk in run.school_ids if pk not in done]


def report_resume(run: ReportRun) -> int:
    """Queue a job per batch of the schools still missing (or the build when none are); idempotent."""
    from regional.tasks import report_batch_task, report_build_task

    missing = report_missing(run)
    if not missing:
        report_build_task.delay(run.pk)
    # At least two rounds of batches, an even number: a 100-school run is 4 jobs of 25, not 1 job that
    # leaves the second worker process idle, and no lone last batch runs while the other process waits.
    batches = max(2 * WORKER_PROCESSES, -(-len(missing) // BATCH_SIZE))
    batches += batches % WORKER_PROCESSES
    size = max(1, -(-len(missing) // batches))
    for start in range(0, len(missing), size):
        report_batch_task.delay(run.pk, missing[start : start + size])
    return len(missing)


def _compliance(run: ReportRun, school_ids: list[int]) -> dict[int, int | None]:
    """Checklist % of each school «по состоянию на» the report date, from the dated snapshot history
    (not today's snapshot): a school with no version by then has no figure."""
    return dict(snapshots_on(run.on, school_ids=school_ids).values_list("school_id", "percent"))


def _stored_values(run: ReportRun, school_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Figures the snapshot refresh already computed for the run's date, where they are still true.

    A school's stored figures are taken only if they are current (``figures_current``: computed for this
    very date, with the same «early end» reasons and fingerprint) and no change is pending since (a change
    stamps ``requested_at`` in its own transaction, and the refresh clears it only when nothing arrived
    during its evaluation). So they equal a recomputation now, and an export for today reads one row a
    school instead of its eight tables.
    """
    if run.on != timezone.localdate():
        # Rows hold figures for the day they were computed; a past date is always recomputed from the
        # schools' dated records (a correction entered later with an earlier date counts, the rules
        # are today's), even where a row computed on that day is still there.
        return {}
    rows = SchoolSnapshot.objects.filter(
        figures_current(run.on), school_id__in=school_ids, requested_at__isnull=True
    ).values_list("school_id", "report_values")
    return {school_id: values for school_id, values in rows if values is not None}


def report_batch(*, run_id: int, school_ids: list[int]) -> int:
    """Compute and store the rows of a batch of schools, each from its own schema; returns rows stored.

    Idempotent: schools that already have a row are skipped (a redelivered message after a lost worker
    redoes only what is missing) and the unique (run, school) constraint makes a race harmless. A school
    whose figures cannot be computed fails the run with its name; the others' rows are kept, so
    «Повторить» recomputes only that school.
    """
    run = ReportRun.objects.filter(pk=run_id, status=ReportRun.Status.RUNNING).first()
    if run is None:
        return 0  # done, failed or deleted meanwhile: nothing to add
    have = set(
        ReportRow.objects.filter(run=run, school_id__in=school_ids).values_list("school_id", flat=True)
    )
    schools = list(
        School.objects.filter(pk__in=[pk for pk in school_ids if pk not in have])
        .select_related("municipality")
        .order_by("pk")
    )
    early = early_end_codes()
    compliance = _compliance(run, [s.pk for s in schools])
    stored = _stored_values(run, [s.pk for s in schools])
    # The rest: one statement per chunk of schools (schema-qualified sub-selects joined by UNION ALL).
    values, _failed = schools_report_values(
        schemas=[s.schema_name for s in schools if s.pk not in stored], on=run.on, early_end_codes=early
    )
    values.update({s.schema_name: stored[s.pk] for s in schools if s.pk in stored})
    rows, failed = [], []
    for school in schools:
        if school.schema_name not in values:
            logger.error("report %s: school %s failed", run.pk, school.schema_name)
            failed.append(school)
            continue
        figures = values[school.schema_name]
        figures["compliance"] = compliance.get(school.pk)
        rows.append(
            ReportRow(
                run=run,
                school=school,
                title=school.short_name,
                municipality=school.municipality.name,
                values=figures,
            )
        )
    ReportRow.objects.bulk_create(rows, ignore_conflicts=True)
    finished = ReportRow.objects.filter(run=run).count()
    ReportRun.objects.filter(pk=run.pk).update(finished=finished, progressed_at=timezone.now())
    if failed:
        report_fail(run_id=run.pk, reason="Не удалось посчитать показатели школ: " + _names(failed) + ".")
    elif finished >= run.total:
        report_build(run=run)
    return len(rows)


def _names(schools: list[School]) -> str:
    names = [s.short_name or s.name for s in schools[:10]]
    return ", ".join(names) + (f" и ещё {len(schools) - 10}" if len(schools) > 10 else "")


def report_fail(*, run_id: int, reason: str) -> None:
    """Mark a running export failed with the reason the user reads beside «Повторить»."""
    if ReportRun.objects.filter(pk=run_id, status=ReportRun.Status.RUNNING).update(
        status=ReportRun.Status.FAILED, error=reason[:2000], finished_at=timezone.now()
    ):
        export_notify(run_id=run_id)


def report_retry(*, run: ReportRun) -> ReportRun:
    """«Повторить»: a failed run runs again, recomputing only the schools it is missing."""
    updated = ReportRun.objects.filter(pk=run.pk, status=ReportRun.Status.FAILED).update(
        status=ReportRun.Status.RUNNING, error="", attempts=0, finished_at=None, progressed_at=timezone.now()
    )
    run.refresh_from_db()
    if updated:
        transaction.on_commit(lambda: report_resume(run))
    return run


def report_runs_sweep(*, now: datetime | None = None) -> dict[str, list[int]]:
    """Periodic: resume exports that stopped making progress, or fail them after MAX_ATTEMPTS.

    A run stalls when its batch messages were lost with a worker (the filesystem broker cannot
    redeliver) or failed past their retries. Resuming queues only the missing schools again.
    """
    now = now or timezone.now()
    resumed, failed = [], []
    with transaction.atomic():
        stalled = ReportRun.objects.select_for_update(skip_locked=True).filter(
            status=ReportRun.Status.RUNNING, progressed_at__lt=now - STALL
        )
        for run in stalled:
            if run.attempts >= MAX_ATTEMPTS:
                missing = report_missing(run)
                schools = list(School.objects.filter(pk__in=missing[:11]).order_by("pk"))
                report_fail(
                    run_id=run.pk,
                    reason=(
                        f"Выгрузка остановилась и не возобновилась после {MAX_ATTEMPTS} попыток. "
                        + (f"Не посчитаны школы ({len(missing)}): {_names(schools)}." if missing else "")
                    ).strip(),
                )
                failed.append(run.pk)
                continue
            ReportRun.objects.filter(pk=run.pk).update(attempts=run.attempts + 1, progressed_at=now)
            transaction.on_commit(lambda run=run: report_resume(run))  # type: ignore[misc]
            resumed.append(run.pk)
    return {"resumed": resumed, "failed": failed}


sweep_register(report_runs_sweep)  # run by the periodic tenants.sweep (config.celery beat)


def report_build(*, run: ReportRun) -> ReportRun:
    """Build and store the file once: the run's row is locked, so two last batches cannot both build."""
    with transaction.atomic():
        locked = ReportRun.objects.select_for_update().get(pk=run.pk)
        if locked.status != ReportRun.Status.RUNNING:
            return locked
        if report_missing(locked):
            return locked  # a batch is still out: its own end builds the file
        content = report_xlsx(locked)
        locked.file.save(f"report-{locked.pk}-{locked.on:%Y%m%d}.xlsx", ContentFile(content), save=False)
        locked.status, locked.finished_at = ReportRun.Status.DONE, timezone.now()
        locked.finished = locked.total
        locked.save(update_fields=["file", "status", "finished_at", "finished"])
        export_notify(run_id=locked.pk)
    return locked
