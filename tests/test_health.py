"""Liveness and readiness (config/health.py): region host, no login, no school data, honest about what is unknown."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from config import health
from config.beat import HeartbeatScheduler
from config.celery import QUEUE_DEFAULT, QUEUE_FAST, app
from tenants.heartbeats import WATCHED_QUEUES
from tenants.models import Heartbeat
from tenants.tasks import heartbeat_task
from tests.worker_processes import filesystem_broker, start_worker_process, wait_for


def _get(world, path):
    return Client(HTTP_HOST=world.host()).get(path)


@pytest.mark.django_db
def test_liveness_answers_without_login_and_without_the_database(world, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = _get(world, "/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db
def test_readiness_reports_every_dependency_and_no_school_data(world):
    response = _get(world, "/readyz")
    assert response.status_code == 200
    body = response.json()
    checks = body["checks"]
    assert set(checks) == {
        "database",
        "broker",
        "worker_heartbeat",
        "snapshots_worker_heartbeat",
        "beat_heartbeat",
        "snapshot_refresh",
        "export",
    }
    assert checks["database"]["status"] == "ok"
    # Nobody wrote a heartbeat in this test: unknown, not invented.
    assert checks["worker_heartbeat"] == {"status": "unknown", "age_seconds": None, "queue": "celery"}
    assert checks["snapshots_worker_heartbeat"] == {
        "status": "unknown",
        "age_seconds": None,
        "queue": "snapshots",
    }
    assert checks["beat_heartbeat"]["status"] == "unknown"
    # The test world's schools have snapshot rows written at provisioning: an age, nothing about them.
    assert checks["snapshot_refresh"]["status"] == "ok"
    text = response.content.decode()
    for school in (world.school_a, world.school_b, world.school_c):
        assert school.slug not in text and school.schema_name not in text and school.short_name not in text


@pytest.mark.django_db
def test_heartbeats_are_read_with_their_age(world):
    Heartbeat.objects.create(name="worker", at=timezone.now() - timedelta(seconds=5))
    Heartbeat.objects.create(name="worker:snapshots", at=timezone.now() - timedelta(minutes=10))
    Heartbeat.objects.create(name="beat", at=timezone.now() - timedelta(hours=1))
    checks = _get(world, "/readyz").json()["checks"]
    assert (
        checks["worker_heartbeat"]["status"] == "ok" and 4 <= checks["worker_heartbeat"]["age_seconds"] < 60
    )
    # The refresh worker stopped while the main one runs: told apart, by queue.
    assert checks["snapshots_worker_heartbeat"]["status"] == "warn"
    assert checks["snapshots_worker_heartbeat"]["age_seconds"] >= 600
    assert checks["beat_heartbeat"]["status"] == "warn"
    assert _get(world, "/readyz").json()["status"] == "degraded"


@pytest.mark.django_db
def test_the_worker_task_and_beats_scheduler_write_the_heartbeats(world, tmp_path):
    heartbeat_task.apply()
    heartbeat_task.apply(args=[QUEUE_FAST])
    scheduler = HeartbeatScheduler(app=app, schedule_filename=str(tmp_path / "beat-schedule"), lazy=True)
    scheduler.heartbeat()  # what every tick does first (tick itself would also send the due tasks)
    checks = _get(world, "/readyz").json()["checks"]
    assert checks["worker_heartbeat"]["status"] == "ok" and checks["beat_heartbeat"]["status"] == "ok"
    assert checks["snapshots_worker_heartbeat"]["status"] == "ok"
    # Beat addresses one heartbeat to each watched queue, i.e. to each worker process.
    addressed = {
        entry.get("options", {}).get("queue", QUEUE_DEFAULT)
        for entry in app.conf.beat_schedule.values()
        if entry["task"] == heartbeat_task.name
    }
    assert addressed == set(WATCHED_QUEUES) == {QUEUE_DEFAULT, QUEUE_FAST}


@pytest.mark.django_db
def test_an_unreachable_broker_degrades_but_keeps_the_node_in_service(world, monkeypatch):
    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = _get(world, "/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["checks"]["broker"]["status"] == "fail"
    assert body["status"] == "degraded"


@pytest.mark.django_db
def test_the_broker_check_is_cached_for_a_few_seconds_not_a_connection_per_call(world, monkeypatch):
    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/1")  # a broker URL of its own
    health._broker_cache.clear()
    opened = []
    real = app.connection_for_read

    def counting():
        opened.append(1)
        return real()

    monkeypatch.setattr(app, "connection_for_read", counting)
    first = _get(world, "/readyz").json()["checks"]["broker"]
    second = _get(world, "/readyz").json()["checks"]["broker"]
    assert len(opened) == 1
    assert first["status"] == second["status"] == "fail"
    assert "checked_seconds_ago" in second and "checked_seconds_ago" not in first
    # Once the result is older than the cache, the next call checks again.
    monkeypatch.setattr(health, "BROKER_CACHE_SECONDS", 0.0)
    _get(world, "/readyz")
    assert len(opened) == 2


def test_an_unreachable_database_makes_readiness_503_and_liveness_stays_200(world, django_db_blocker):
    with django_db_blocker.unblock():
        connection.close()
        port = connection.settings_dict["PORT"]
        connection.settings_dict["PORT"] = "1"  # nothing listens there: every connection is refused
        try:
            ready = _get(world, "/readyz")
            alive = _get(world, "/healthz")
        finally:
            connection.close()
            connection.settings_dict["PORT"] = port
        assert ready.status_code == 503
        body = ready.json()
        assert body["status"] == "fail"
        assert body["checks"]["database"] == {"status": "fail", "error": "OperationalError"}
        assert alive.status_code == 200
        with connection.cursor() as cursor:  # and the database is back for the next test
            cursor.execute("SELECT 1")


@pytest.mark.django_db
def test_health_is_not_served_on_school_hosts(world):
    response = Client(HTTP_HOST=world.host(world.school_a)).get("/readyz")
    assert response.status_code == 404


@pytest.mark.real_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_consuming_only_snapshots_records_its_own_heartbeat(world, tmp_path):
    """The way deploy/ and make run start the refresh worker (-Q snapshots): its heartbeat, not the main one's."""
    with filesystem_broker(tmp_path / "broker") as folder:
        worker = start_worker_process(folder, "-Q", QUEUE_FAST, "--concurrency=1")
        try:
            for entry in app.conf.beat_schedule.values():  # what beat sends every 30 s
                if entry["task"] == heartbeat_task.name:
                    app.send_task(entry["task"], args=entry.get("args", ()), **entry.get("options", {}))
            assert wait_for(lambda: Heartbeat.objects.filter(name="worker:snapshots").exists(), 30), (
                worker.log
            )
        finally:
            worker.stop()
    checks = _get(world, "/readyz").json()["checks"]
    assert checks["snapshots_worker_heartbeat"]["status"] == "ok"
    assert checks["worker_heartbeat"]["status"] == "unknown"  # its message waits for the main worker
