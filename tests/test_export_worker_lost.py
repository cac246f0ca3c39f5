"""A worker killed during the federal export: a real worker process (prefork, as ``make run`` starts it) on
Redis, killed while it holds a batch. The run ends done with one row per school, never «формируется» forever.
"""

import time
from datetime import timedelta

import psycopg
import pytest
from django.db import connection, transaction
from django.utils import timezone

from config.celery import app
from regional import reports
from regional.models import ReportRow, ReportRun
from tests.test_indicators import D
from tests.test_real_worker import _forget_connections, _redis_url
from tests.worker_processes import RedisWorker, worker_database_url

pytestmark = [pytest.mark.real_worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def broker():
    url = _redis_url()
    if url is None:
        pytest.skip(
            "needs Redis: the filesystem broker cannot redeliver a lost message (the sweeper covers it)"
        )
    import redis

    redis.Redis.from_url(url).flushdb()  # nothing left over from other tests in this Redis database
    saved = {key: app.conf.get(key) for key in ("task_always_eager", "broker_url", "result_backend")}
    app.conf.update(task_always_eager=False, broker_url=url, result_backend=None)
    _forget_connections()
    yield url
    app.conf.update(saved)
    _forget_connections()


def _wait(predicate, seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _blocked_on_end_reasons() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE %s",
            ["%regional_endreason%"],
        )
        return cursor.fetchone()[0] > 0


def _start_export_held(world) -> tuple[ReportRun, psycopg.Connection]:
    """Start an export while another session locks a catalogue the batch reads: the batch waits mid-way."""
    holder = psycopg.connect(worker_database_url())
    try:
        holder.execute("LOCK TABLE regional_endreason IN ACCESS EXCLUSIVE MODE")
        with transaction.atomic():
            run = reports.report_start(on=D, actor=None)
        assert _wait(_blocked_on_end_reasons, 120), "the worker never started the batch"
    except BaseException:
        holder.close()  # never leave the lock behind: the test's database flush would wait for it forever
        raise
    return run, holder


def _done(run: ReportRun) -> bool:
    run.refresh_from_db()
    return run.status != ReportRun.Status.RUNNING


def test_a_worker_killed_mid_batch_ends_in_a_done_run_with_one_row_per_school(world, broker):
    # One test for both cases: a transactional test flushes the shared world's rows when it ends.
    worker = RedisWorker(broker)
    try:
        # 1. The pool process holding the batch dies; the message was not acknowledged, so the worker's
        # main process puts it back (reject_on_worker_lost) and a fresh pool process redoes it.
        run, holder = _start_export_held(world)
        for child in worker.children():
            child.kill()
        holder.rollback()
        holder.close()
        assert _wait(lambda: _done(run)), "the run stayed «формируется»"
        assert run.status == ReportRun.Status.DONE and run.finished == run.total == 3
        assert ReportRow.objects.filter(run=run).count() == 3  # one row per school, no duplicates

        # 2. The whole worker dies: Redis keeps the message unacknowledged for an hour, the run stalls,
        # and the sweeper resumes it with only the missing schools.
        run, holder = _start_export_held(world)
        worker.kill_all()
        holder.rollback()
        holder.close()
        run.refresh_from_db()
        assert run.status == ReportRun.Status.RUNNING and not ReportRow.objects.filter(run=run).exists()
    finally:
        worker.stop()
    worker = RedisWorker(broker)
    try:
        later = timezone.now() + reports.STALL + timedelta(seconds=1)
        with transaction.atomic():
            assert reports.report_runs_sweep(now=later) == {"resumed": [run.pk], "failed": []}
        assert _wait(lambda: _done(run)), "the resumed run did not finish"
        assert run.status == ReportRun.Status.DONE and ReportRow.objects.filter(run=run).count() == 3
    finally:
        worker.stop()
