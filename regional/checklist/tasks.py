"""Snapshot jobs: the refresh after a change (fast queue), and the periodic, batched re-evaluation and repair.

Every job here is idempotent (it recomputes from the school's data), so it is acknowledged late and
redelivered if its worker dies; a database that is away makes it retry with backoff instead of being lost.
"""

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django_tenants.utils import schema_context

from config.celery import NIGHTLY_PASS_AT, DurableRegionTask, DurableSchoolTask, app, fan_out_batches
from regional.checklist.snapshots import STALE_REQUEST, figures_current, snapshot_refresh_pending
from tenants.context import current_schema_name
from tenants.models import School

logger = logging.getLogger(__name__)


@app.task(base=DurableSchoolTask, name="regional.snapshot_refresh", soft_time_limit=60, time_limit=90)
def snapshot_refresh_task() -> str:
    """Runs in the school's schema (tenant-schemas-celery): refreshes while a change is pending."""
    school = School.objects.get(schema_name=current_schema_name())
    outcome = snapshot_refresh_pending(school=school)
    if outcome == "again":
        snapshot_refresh_task.apply_async(headers={"_schema_name": school.schema_name})
    return outcome


@app.task(
    base=DurableRegionTask, name="regional.snapshots_refresh_batch", soft_time_limit=600, time_limit=660
)
def snapshots_refresh_batch_task(school_ids: list[int], force: bool = True) -> dict[str, int]:
    """A batch of schools (public): each refreshed in its own schema. One school's failure skips only it."""
    outcomes: dict[str, int] = {}
    for school in School.objects.filter(pk__in=school_ids):
        try:
            with schema_context(school.schema_name):
                outcome = snapshot_refresh_pending(school=school, force=force)
        except Exception:
            logger.exception("Snapshot of school %s failed; the next repair pass retries it", school.pk)
            outcome = "failed"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def _refresh_in_batches(schools: Any, *, force: bool) -> int:
    return fan_out_batches(snapshots_refresh_batch_task, schools, force=force)


@app.task(base=DurableRegionTask, name="regional.snapshots_rebuild_all")
def snapshots_rebuild_all_task() -> int:
    """Every school with a schema, in batches (a new checklist version, or the nightly calendar pass).

    Date-dependent rules (expired consents and acts, overdue items, inactivity) change with no change in
    the school: the nightly pass re-evaluates them; a version is written only where values moved.
    """
    return _refresh_in_batches(
        School.objects.filter(status__in=[School.Status.ACTIVE, School.Status.ARCHIVED]), force=True
    )


# How long the nightly pass is given before the repair pass takes over the schools it has not reached.
NIGHTLY_PASS_GRACE = timedelta(hours=1)


def _nightly_pass_over(now: datetime) -> bool:
    local = timezone.localtime(now)
    over = datetime.combine(local.date(), NIGHTLY_PASS_AT, tzinfo=local.tzinfo) + NIGHTLY_PASS_GRACE
    return local >= over


@app.task(base=DurableRegionTask, name="regional.snapshots_repair")
def snapshots_repair_task() -> int:
    """Repair what was missed: active schools with no snapshot row, stamps left pending too long, and —
    once the nightly pass has had its time — rows that do not hold today's figures (a batch of the pass
    lost with a killed worker: Redis gives it back only after its visibility timeout, the filesystem
    broker never). Until then an export for today recomputes those schools; after it reads their rows."""
    now = timezone.now()
    stale = now - STALE_REQUEST - timedelta(seconds=30)
    missed = Q(snapshot__isnull=True) | Q(snapshot__requested_at__lt=stale)
    if _nightly_pass_over(now):
        # Not today's, or computed before a deploy changed how figures are computed, or with «досрочно»
        # reasons the region has changed since: refreshed, not left until the night.
        missed |= ~figures_current(timezone.localdate(now), prefix="snapshot__")
    schools = School.objects.filter(status=School.Status.ACTIVE).filter(missed)
    return _refresh_in_batches(schools, force=True)
